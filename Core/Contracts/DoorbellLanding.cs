namespace Emu.Core.Contracts;

/// <summary>Where a doorbell landed (<see cref="IInterruptTargets.DoorbellArrived"/>).</summary>
public enum DoorbellLanding
{
    /// <summary>The pCPU runs the target's vCPU in guest mode: the hardware evaluates its vIRR, no exit, no cost.</summary>
    InGuest,

    /// <summary>
    /// The pCPU runs the target's thread in host mode (handling an exit, halt-polling, in userspace): the IRR waits
    /// for the next VMRUN, and the doorbell interrupts the host like any other.
    /// </summary>
    TargetInHost,

    /// <summary>Anything else runs there (another vCPU, a host task) or nothing: spurious.</summary>
    Elsewhere,
}
