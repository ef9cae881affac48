namespace Emu.Core.Contracts;

/// <summary>
/// What an IOMMU plugin (<see cref="IPostedInterruptRemapping"/>) reports to Core about the device interrupts it
/// posts, so that Core counts them (totals.deviceInterrupts), charges the time they take and knows a wake-up is on its
/// way. The IRR itself is set through <see cref="IInterruptTargets.SetIrr"/>.
/// </summary>
public interface IDeviceInterruptTargets
{
    /// <summary>
    /// The IOMMU's doorbell for device <paramref name="device"/>'s interrupt to vCPU <paramref name="vcpu"/> reaches
    /// <paramref name="pcpu"/>: counted by where it landed and charged like a CPU's doorbell
    /// (<see cref="IInterruptTargets.DoorbellArrived"/>); the caller accepts it in guest mode.
    /// </summary>
    DoorbellLanding DoorbellArrived(int pcpu, int device, int vcpu, long hostModeNs);

    /// <summary>The IOMMU wrote a GA-log entry for the interrupt (IRTE IsRun = 0, GALogIntr = 1): a wake-up is now on its way to <paramref name="vcpu"/>.</summary>
    void GaLogEntry(int device, int vcpu);

    /// <summary>The IOMMU's GA-log interrupt is taken on <paramref name="pcpu"/>: its handler costs <paramref name="hostModeNs"/> there (a VM exit if a guest runs there).</summary>
    void GaLogInterrupt(int pcpu, long hostModeNs);

    /// <summary>
    /// avic_ga_log_notifier for one GA-log entry: kvm_vcpu_wake_up of <paramref name="vcpu"/> (the IOMMU already set its
    /// IRR). Returns true if it woke the vCPU.
    /// </summary>
    bool GaLogWakeUp(int device, int vcpu);
}
