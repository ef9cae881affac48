namespace Emu.Core.Contracts;

/// <summary>
/// Per-vCPU AVIC inhibition, as upstream KVM applies APICV_INHIBIT_REASON_NESTED while a vCPU runs L2 (kvm-avic.md
/// §3.5: "the peers of this vCPU cannot use the doorbell mechanism to signal interrupts via AVIC when a vCPU runs
/// nested"): its physical entry says not running in both strict modes, so peers' IPIs exit, and KVM's own delivery
/// kicks it instead of ringing a doorbell. The interrupt-virtualization plugin provides it; a nested layer calls it.
/// </summary>
public interface IAvicInhibit
{
    /// <summary>Inhibits (avic_refresh_apicv_exec_ctrl: deactivate) or re-activates AVIC for <paramref name="vcpu"/>.</summary>
    void SetInhibited(int vcpu, bool inhibited);
}
