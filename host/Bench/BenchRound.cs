namespace Emu.Host.Bench;

/// <summary>
/// One round of <c>emu bench</c>: the scenario run to its end, then the bare reference loop over as many events, both
/// timed in the same process so that a shared, noisy machine moves both.
/// </summary>
internal readonly record struct BenchRound(long Events, double ModelSeconds, double ReferenceSeconds, double BuildSeconds)
{
    public double ModelNsPerEvent => ModelSeconds * 1e9 / Events;

    public double ReferenceNsPerEvent => ReferenceSeconds * 1e9 / Events;

    /// <summary>The model's events per second as a fraction of the reference's (issue 19's first target: at least 0.75).</summary>
    public double Ratio => ReferenceSeconds / ModelSeconds;
}
