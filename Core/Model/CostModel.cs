namespace Emu.Core.Model;

/// <summary>
/// The time costs Core charges, in nanoseconds (Costs section). Defaults and their sources are in
/// docs/costs.md; a cycle figure is converted at <see cref="CpuGhz"/>.
/// </summary>
public sealed record CostModel(
    long VmExitNs,
    long IpiEmulationNs,
    long WakeupNs,
    long ContextSwitchNs,
    long UserspaceRoundTripNs,
    long HostInterruptNs,
    double CpuGhz);
