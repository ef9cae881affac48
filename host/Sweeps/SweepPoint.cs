namespace Emu.Host.Sweeps;

/// <summary>One run of a sweep: a combination of the varied values and a replication with its seed.</summary>
/// <param name="Index">The point's place in the whole sweep (combination-major, replication-minor).</param>
/// <param name="Combination">The combination's index; replications of one combination share it.</param>
internal sealed record SweepPoint(int Index, int Combination, int Replication, long Seed, IReadOnlyList<KeyValuePair<string, string>> Values);
