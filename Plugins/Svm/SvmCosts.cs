using System.ComponentModel.DataAnnotations;

namespace Emu.Plugins.Svm;

/// <summary>The Svm plugin's keys of the Costs section, in nanoseconds. Sources: docs/costs.md.</summary>
public sealed class SvmCosts
{
    /// <summary>From the doorbell write (hardware on ICR write, or KVM's WRMSR 0xC001011B) to its arrival at the target pCPU (assumption).</summary>
    [Range(0, 100_000_000, ErrorMessage = "must be between {1} and {2} ns")]
    public long DoorbellNs { get; set; } = 100;

    /// <summary>pCPU time a doorbell costs whatever runs there when it is not for the running vCPU (assumption; calibrated in docs/fidelity.md).</summary>
    [Range(0, 100_000_000, ErrorMessage = "must be between {1} and {2} ns")]
    public long SpuriousDoorbellNs { get; set; } = 1000;

    /// <summary>
    /// KVM's incomplete-IPI handler, per vCPU it visits beyond the first (avic_kick_target_vcpus: each target's
    /// svm_complete_interrupt_delivery, or on the slow path each vCPU's kvm_apic_match_dest): about 150 cycles
    /// (assumption, docs/costs.md).
    /// </summary>
    [Range(0, 100_000_000, ErrorMessage = "must be between {1} and {2} ns")]
    public long AvicKickPerTargetNs { get; set; } = 50;

    /// <summary>
    /// The IOMMU's GA-log interrupt on the host: interrupt entry, amd_iommu_int_thread / iommu_poll_ga_log and
    /// avic_ga_log_notifier's lookup, about 4,500 cycles before the wake-up itself (assumption, docs/costs.md).
    /// </summary>
    [Range(0, 100_000_000, ErrorMessage = "must be between {1} and {2} ns")]
    public long GaLogInterruptNs { get; set; } = 1500;
}
