using System.ComponentModel.DataAnnotations;

namespace Emu.Core.Configuration;

/// <summary>Which KVM tree the rules follow where the 2022 tree the seed patched and today's differ (docs/fidelity.md).</summary>
public enum KvmProfile
{
    /// <summary>Today's kernel (the default).</summary>
    Current,

    /// <summary>The v5.18/5.19-era tree the seed patch applies to.</summary>
    Seed2022,
}

/// <summary>
/// KVM's generic module parameters (kvm.ko, not kvm_amd): the Kvm section, read by Core. They apply whether or
/// not an interrupt-virtualization plugin is loaded.
/// </summary>
public sealed class KvmOptions
{
    public const string Section = "Kvm";

    /// <summary>The kernel whose rules apply where 2022 and today differ.</summary>
    public KvmProfile Profile { get; set; } = KvmProfile.Current;

    /// <summary>halt_poll_ns: the most a vCPU's adaptive window may grow to; KVM_HALT_POLL_NS_DEFAULT on x86 (kvm_host.h) is 200 µs; 0 turns polling off.</summary>
    [Range(0, 100_000_000, ErrorMessage = "must be between {1} and {2} ns")]
    public long HaltPollNs { get; set; } = 200_000;

    /// <summary>halt_poll_ns_grow: the window's factor after a short halt (kvm_main.c default 2); 0 never grows it.</summary>
    [Range(0, 1000, ErrorMessage = "must be between {1} and {2}")]
    public int HaltPollNsGrow { get; set; } = 2;

    /// <summary>halt_poll_ns_grow_start: the first non-zero window, and the smallest one kept (kvm_main.c default 10 µs).</summary>
    [Range(1, 100_000_000, ErrorMessage = "must be between {1} and {2} ns")]
    public long HaltPollNsGrowStart { get; set; } = 10_000;

    /// <summary>
    /// halt_poll_ns_shrink: the window's divisor after a long halt; 0 resets it. Unset, it follows the profile:
    /// 0 in the 2022 tree ("Default resets per-vcpu halt_poll_ns"), 2 today ("Default halves").
    /// </summary>
    [Range(0, 1000, ErrorMessage = "must be between {1} and {2}")]
    public int? HaltPollNsShrink { get; set; }

    /// <summary>The divisor in force: the configured one, or the profile's default.</summary>
    public int EffectiveHaltPollNsShrink => HaltPollNsShrink ?? (Profile == KvmProfile.Seed2022 ? 0 : 2);
}
