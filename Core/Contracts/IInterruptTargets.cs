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

    /// <summary>Counts a doorbell rung (totals.doorbells.sent), whether or not it reaches a pCPU.</summary>
    void CountDoorbellSent();

    /// <summary>
    /// A doorbell reached <paramref name="pcpu"/> and found the thread of <paramref name="vcpu"/> loaded there:
    /// counts it as received there and to a running target, and traces it.
    /// </summary>
    void CountDoorbellAtTarget(int pcpu, int vcpu);

    /// <summary>
    /// A doorbell that found no running target on <paramref name="pcpu"/>: counts it as received there and
    /// spurious (and as on a foreign task when what runs there is not a vCPU of <paramref name="senderVm"/>), and
    /// charges <paramref name="ns"/> of the pCPU's time to the task that runs there.
    /// </summary>
    void ChargeSpuriousDoorbell(int pcpu, int senderVm, int target, long ns);
}
