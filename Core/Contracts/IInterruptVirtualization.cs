using Emu.Core.Model;

namespace Emu.Core.Contracts;

/// <summary>
/// How a guest's ICR write and KVM's own interrupt deliveries reach their targets. Core's
/// <see cref="Machine.EmulatedInterruptController"/> is the reference: every ICR write to another vCPU exits
/// and KVM emulates it (AVIC off). An accelerating plugin (AVIC) replaces it.
/// </summary>
public interface IInterruptVirtualization : IInterruptDelivery
{
    /// <summary>Short name shown in results (e.g. "avic", "emulated").</summary>
    string Name { get; }

    /// <summary>Called once when the simulation is built, before any event.</summary>
    void Initialize(IVirtualizationContext context);

    /// <summary>
    /// The hardware's handling of a guest ICR write by <paramref name="sender"/> (in guest mode): sets IRRs,
    /// rings doorbells, or asks for a VM exit. Returns what the sender sees.
    /// </summary>
    IcrWriteOutcome WriteIcr(int sender, Icr icr);

    /// <summary>
    /// KVM's handler for an exit returned by <see cref="WriteIcr"/>, run in the sender's host context.
    /// Returns the handler's cost in nanoseconds (beyond the exit round trip that Core charges).
    /// </summary>
    long HandleExit(int sender, in IcrWriteOutcome exit);
}
