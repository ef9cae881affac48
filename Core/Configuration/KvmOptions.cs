using System.ComponentModel.DataAnnotations;

namespace Emu.Core.Configuration;

/// <summary>
/// KVM's generic module parameters (kvm.ko, not kvm_amd): the Kvm section, read by Core. They apply whether or
/// not an interrupt-virtualization plugin is loaded.
/// </summary>
public sealed class KvmOptions
{
    public const string Section = "Kvm";

    /// <summary>KVM_HALT_POLL_NS_DEFAULT on x86 (kvm_host.h): 200 µs; 0 turns polling off.</summary>
    [Range(0, 100_000_000, ErrorMessage = "must be between {1} and {2} ns")]
    public long HaltPollNs { get; set; } = 200_000;
}
