using System.ComponentModel.DataAnnotations;

namespace Emu.Plugins.Svm;

/// <summary>The Svm section: kvm_amd's module parameters (and the seed's avic_doorbell_strict). Only this plugin reads it.</summary>
public sealed class SvmOptions
{
    public const string Section = "Svm";

    /// <summary>Keys that used to live here, with their new place.</summary>
    internal static readonly IReadOnlyDictionary<string, string> MovedKeys = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["HaltPollNs"] = "Kvm:HaltPollNs (halt-polling is KVM's, kvm.ko's halt_poll_ns, not kvm_amd's)",
    };

    /// <summary>kvm_amd avic: AVIC on. Off: every ICR write to another vCPU traps and is emulated.</summary>
    public bool Avic { get; set; } = true;

    /// <summary>kvm_amd enable_ipiv: off never sets IsRunning in the hardware table (the erratum #1235 mitigation).</summary>
    public bool EnableIpiv { get; set; } = true;

    /// <summary>The seed's avic_doorbell_strict: true clears IsRunning on every put; false only when blocking.</summary>
    public bool AvicDoorbellStrict { get; set; } = true;

    /// <summary>
    /// amd_iommu's guest virtual APIC mode (the IOMMU posts assigned devices' interrupts through guest-mode IRTEs;
    /// amd_iommu_guest_ir = vapic). Off: every device interrupt is taken by the host and injected by KVM.
    /// </summary>
    public bool IommuAvic { get; set; } = true;

    /// <summary>The pCPU that takes the IOMMU's own interrupt (the GA-log interrupt), as its MSI affinity says.</summary>
    [Range(0, int.MaxValue, ErrorMessage = "must be a pCPU id")]
    public int IommuInterruptCpu { get; set; }

    /// <summary>Fault injection for AMD erratum #1235: for this long after KVM clears IsRunning, the hardware may still read 1. 0 = off.</summary>
    [Range(0, 1_000_000_000, ErrorMessage = "must be between {1} and {2} ns")]
    public long Erratum1235WindowNs { get; set; }

    /// <summary>An old key gets an error that names its new place.</summary>
    internal static void RejectMovedKeys(Microsoft.Extensions.Configuration.IConfiguration configuration, List<string> errors)
    {
        foreach (var child in configuration.GetSection(Section).GetChildren())
        {
            if (MovedKeys.TryGetValue(child.Key, out string? to))
            {
                errors.Add($"{child.Path}: moved to {to}");
            }
        }
    }
}
