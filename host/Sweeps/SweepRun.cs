namespace Emu.Host.Sweeps;

/// <summary>The points a run finished, in point order; <paramref name="Cancelled"/> when it stopped before the rest.</summary>
internal sealed record SweepRun(IReadOnlyList<PointResult> Finished, bool Cancelled);
