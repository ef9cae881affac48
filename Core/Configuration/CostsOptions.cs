using System.ComponentModel.DataAnnotations;

namespace Emu.Core.Configuration;

/// <summary>
/// Core's part of the Costs section, in nanoseconds. Defaults and sources: docs/costs.md.
/// Plugins bind their own keys (doorbells) from the same section.
/// </summary>
public sealed class CostsOptions
{
    public const string Section = "Costs";

    /// <summary>The clock used to turn the cycle figures of docs/costs.md into nanoseconds.</summary>
    [Range(0.5, 10.0, ErrorMessage = "must be between {1} and {2} GHz")]
    public double CpuGhz { get; set; } = 3.0;

    /// <summary>SVM VMRUN/#VMEXIT round trip: about 1,350 cycles (Roth, LKML 2020) = 450 ns at 3 GHz.</summary>
    [Range(0, 100_000_000, ErrorMessage = "must be between {1} and {2} ns")]
    public long VmExitNs { get; set; } = 450;

    /// <summary>KVM emulating an ICR write or handling an incomplete-IPI exit (assumption, see docs/costs.md).</summary>
    [Range(0, 100_000_000, ErrorMessage = "must be between {1} and {2} ns")]
    public long IpiEmulationNs { get; set; } = 400;

    /// <summary>kvm_vcpu_wake_up until the woken thread is runnable on its pCPU (assumption).</summary>
    [Range(0, 100_000_000, ErrorMessage = "must be between {1} and {2} ns")]
    public long WakeupNs { get; set; } = 2000;

    /// <summary>A host context switch (assumption, lmbench-order figure).</summary>
    [Range(0, 100_000_000, ErrorMessage = "must be between {1} and {2} ns")]
    public long ContextSwitchNs { get; set; } = 1500;

    /// <summary>The two KVM_RUN ioctl legs of a userspace exit: about 1,200 cycles (Roth, LKML 2020).</summary>
    [Range(0, 100_000_000, ErrorMessage = "must be between {1} and {2} ns")]
    public long UserspaceRoundTripNs { get; set; } = 400;

    /// <summary>
    /// A device's MSI taken by the host when it is not posted: interrupt entry, vfio_msihandler, the eventfd and
    /// irqfd_wakeup up to kvm_set_msi_irq, about 3,000 cycles (assumption, docs/costs.md).
    /// </summary>
    [Range(0, 100_000_000, ErrorMessage = "must be between {1} and {2} ns")]
    public long HostInterruptNs { get; set; } = 1000;
}
