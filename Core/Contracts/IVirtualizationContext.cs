namespace Emu.Core.Contracts;

/// <summary>
/// What an interrupt-virtualization plugin (and a nested layer on top of it) gets when a run is built: the
/// machine to look at, the operations on interrupt targets, event scheduling and the run monitor. Each is a
/// role of its own, so a plugin uses only what it needs and never the engine or the counters.
/// </summary>
public interface IVirtualizationContext
{
    IMachineView Machine { get; }

    IInterruptTargets Targets { get; }

    IEventScheduling Events { get; }

    IRunMonitor Monitor { get; }

    /// <summary>Where an IOMMU plugin reports the device interrupts it posts.</summary>
    IDeviceInterruptTargets Devices { get; }
}
