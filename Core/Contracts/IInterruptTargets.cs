namespace Emu.Core.Contracts;

/// <summary>
/// What interrupt virtualization does to vCPUs, and the doorbell counts only it can see. Core keeps the vCPU
/// state, the time accounting and the totals; the plugin decides when to call these.
/// </summary>
public interface IInterruptTargets
{
    /// <summary>
    /// Sets a vector in the target's IRR, as hardware or KVM does on its backing page. Returns false if it was
    /// already pending (coalesced). A halt-polling target notices and stops polling.
    /// </summary>
    bool SetIrr(int target, byte vector);

    /// <summary>The target, in guest mode, takes its pending interrupts now without an exit (doorbell, posted interrupt).</summary>
    void AcceptInGuest(int target);

    /// <summary>kvm_vcpu_kick without AVIC: a target in guest mode exits so the interrupt is injected on re-entry.</summary>
    void Kick(int target);

    /// <summary>kvm_vcpu_wake_up: wakes the target if it is blocked; nothing otherwise. Returns true if it woke it.</summary>
    bool WakeUp(int target);

    /// <summary>
    /// kvm_apic_accept_irq for NMI, SMI, INIT and SIPI: not IRR bits. An NMI becomes pending and is taken at the next
    /// VMRUN; INIT resets the target (an application processor then waits for a SIPI); a SIPI starts a vCPU that
    /// waits for one. Each kicks the target out of guest mode or wakes it.
    /// </summary>
    void DeliverSignal(int target, Model.DeliveryMode mode);

    /// <summary>Counts a doorbell rung (totals.doorbells.sent), whether or not it reaches a pCPU.</summary>
    void CountDoorbellSent();

    /// <summary>
    /// A doorbell for vCPU <paramref name="vcpu"/>'s thread, sent on behalf of VM <paramref name="senderVm"/>, reaches
    /// <paramref name="pcpu"/>: Core counts it by where it landed and, unless the target took it in guest mode,
    /// takes <paramref name="hostModeNs"/> of the pCPU from whatever runs there (its work completes that much later;
    /// a doorbell arriving while the previous one there is still being handled is coalesced: counted, not
    /// charged). The caller does what the landing means for its interrupt (accept it in guest mode, say).
    /// </summary>
    DoorbellLanding DoorbellArrived(int pcpu, int senderVm, int vcpu, long hostModeNs);
}
