using Emu.Core.Results;

namespace Emu.Host.Sweeps;

/// <summary>A finished point: where it sits in the sweep and what it measured.</summary>
internal sealed record PointResult(SweepPoint Point, SimulationResult Result, IReadOnlyList<KeyValuePair<string, double>> Metrics);
