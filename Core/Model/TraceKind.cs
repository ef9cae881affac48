namespace Emu.Core.Model;

/// <summary>Instants a trace sink can show.</summary>
public enum TraceKind : byte
{
    Doorbell,
    SpuriousDoorbell,
    /// <summary>A VM exit (argument: its <see cref="ExitReason"/> in bits 7:0; for AVIC_INCOMPLETE_IPI, EXITINFO2 &lt;&lt; 8).</summary>
    VmExit,
    Wakeup,
    LostWakeup,
    InterruptAccepted,
    IcrWrite,

    /// <summary>A doorbell that found its target's thread on the pCPU in host mode (it costs the pCPU, like a spurious one).</summary>
    DoorbellInHost,

    /// <summary>
    /// An IPI's vector was set in the target's IRR (vcpu: the target; argument: sender &lt;&lt; 8 | vector), by the hardware
    /// during the sender's ICR write or by KVM's handling of its exit.
    /// </summary>
    IpiSent,

    /// <summary>A device raised an interrupt for the vCPU (argument: device id &lt;&lt; 8 | vector; pCPU: where the target last ran).</summary>
    DeviceInterrupt,

    /// <summary>
    /// kvm_vcpu_halt ended (KVM's kvm_vcpu_wakeup tracepoint) on the vCPU's pCPU: argument = the halt's length in ns
    /// (polling included) &lt;&lt; 1 | 1 if the vCPU blocked (waited), 0 if a poll or a check before sleeping saw the event.
    /// </summary>
    HaltEnded,

    /// <summary>
    /// kvm_apic_send_ipi: KVM emulates an ICR write in software (vcpu: the sender; pCPU: where it runs; argument: the
    /// ICR, high &lt;&lt; 32 | low).
    /// </summary>
    ApicIpi,

    /// <summary>
    /// __apic_accept_irq: KVM, not the hardware, puts an interrupt into a vCPU's local APIC (an emulated IPI, the guest's
    /// LAPIC timer, a device's MSI the host took) (vcpu: the target; pCPU: where KVM runs; argument: as ICR low, vector
    /// 7:0, delivery mode 10:8, level-triggered 15).
    /// </summary>
    ApicAcceptIrq,

    /// <summary>avic_ga_log_notifier: a GA-log entry wakes the vCPU (pCPU: where the IOMMU's GA-log interrupt is taken; argument: the device).</summary>
    AvicGaLog,
}
