using Emu.Core.Randomness;

namespace Emu.Host.Sweeps;

/// <summary>
/// The points of a sweep: the cartesian product of the axes (the first axis varies slowest) times the
/// replications. Replication 0 runs the base seed, so a point can be re-run alone with --set; replication r
/// runs a seed derived from the base seed and r, the same for every combination (common random numbers,
/// which make strict and non-strict comparable run for run).
/// </summary>
internal sealed class SweepPlan
{
    public SweepPlan(IReadOnlyList<SweepAxis> axes, int replications, long baseSeed)
    {
        Axes = axes;
        Replications = replications;
        BaseSeed = baseSeed;
        int combinations = 1;
        foreach (var a in axes)
        {
            combinations = checked(combinations * a.Values.Count);
        }

        Combinations = combinations;
    }

    public IReadOnlyList<SweepAxis> Axes { get; }

    public int Replications { get; }

    public long BaseSeed { get; }

    public int Combinations { get; }

    public int PointCount => Combinations * Replications;

    public static long SeedOf(long baseSeed, int replication) =>
        replication == 0 ? baseSeed : (long)(RandomStream.DeriveSeed(baseSeed, "replication", replication) >> 1);

    public IReadOnlyList<KeyValuePair<string, string>> ValuesOf(int combination)
    {
        var values = new KeyValuePair<string, string>[Axes.Count];
        int rest = combination;
        for (int a = Axes.Count - 1; a >= 0; a--)
        {
            var axis = Axes[a];
            values[a] = new(axis.Key, axis.Values[rest % axis.Values.Count]);
            rest /= axis.Values.Count;
        }

        return values;
    }

    public SweepPoint Point(int index)
    {
        int combination = index / Replications;
        int replication = index % Replications;
        return new SweepPoint(index, combination, replication, SeedOf(BaseSeed, replication), ValuesOf(combination));
    }

    public IEnumerable<SweepPoint> Points(ShardSpec shard)
    {
        for (int i = 0; i < PointCount; i++)
        {
            if (shard.Owns(i))
            {
                yield return Point(i);
            }
        }
    }
}
