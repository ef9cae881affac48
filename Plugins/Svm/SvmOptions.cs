using System.ComponentModel.DataAnnotations;

namespace Emu.Plugins.Svm;

/// <summary>The Svm section (kvm_amd's module parameters). HaltPollNs there is KVM's, read by Core.</summary>
public sealed class SvmOptions
{
    public const string Section = "Svm";

    /// <summary>kvm_amd avic: AVIC on. Off: every ICR write to another vCPU traps and is emulated.</summary>
    public bool Avic { get; set; } = true;

    /// <summary>kvm_amd enable_ipiv: off never sets IsRunning in the hardware table (the erratum #1235 mitigation).</summary>
    public bool EnableIpiv { get; set; } = true;

    /// <summary>The seed's avic_doorbell_strict: true clears IsRunning on every put; false only when blocking.</summary>
    public bool AvicDoorbellStrict { get; set; } = true;

    /// <summary>Fault injection for AMD erratum #1235: for this long after KVM clears IsRunning, the hardware may still read 1. 0 = off.</summary>
    [Range(0, 1_000_000_000, ErrorMessage = "must be between {1} and {2} ns")]
    public long Erratum1235WindowNs { get; set; }
}
