using Emu.Core.Contracts;
using Emu.Core.Configuration;
using Microsoft.Extensions.Configuration;

namespace Emu.Core.Workloads;

/// <summary>
/// The Mixed workload's keys. Weights are the relative frequency of each action after a compute burst;
/// durations are means of exponential draws. The presets IoHeavy and Idle are Mixed with other defaults.
/// </summary>
internal sealed record MixedSettings(
    long ComputeNs,
    double Ipi,
    double Multicast,
    double Broadcast,
    double Halt,
    double UserspaceExit,
    double Mmio,
    long UserspaceNs,
    long MmioNs,
    long HaltTimeoutNs,
    long IpiLimit,
    long CompletionNs,
    bool CompletionPosted) : IWorkloadSettings
{
    public IWorkload Create(IWorkloadContext context) => new MixedWorkload(context, this);

    public static readonly MixedSettings MixedDefaults = new(2000, 1.0, 0, 0, 0, 0, 0, 20_000, 2_000, 1_000_000, 0, 0, true);

    /// <summary>
    /// IoHeavy: frequent userspace exits (I/O requests the VMM handles), some IPIs, and a device (io0) that completes
    /// each request 10 µs later with a posted interrupt to the vCPU that made it.
    /// </summary>
    public static readonly MixedSettings IoHeavyDefaults = MixedDefaults with { ComputeNs = 5000, Ipi = 0.2, UserspaceExit = 0.8, UserspaceNs = 20_000, CompletionNs = 10_000 };

    /// <summary>Idle: mostly halted, woken by its timer or by a peer's occasional IPI.</summary>
    public static readonly MixedSettings IdleDefaults = MixedDefaults with { ComputeNs = 2000, Ipi = 0.1, Halt = 0.9, HaltTimeoutNs = 1_000_000 };

    public static MixedSettings Read(IConfigurationSection section, MixedSettings d, List<string> errors)
    {
        var k = new SectionKeys(section, "Kind");
        const long MaxNs = 3_600_000_000_000;
        var s = new MixedSettings(
            k.Long(nameof(ComputeNs), d.ComputeNs, 1, MaxNs),
            k.Double(nameof(Ipi), d.Ipi, 0, 1e6),
            k.Double(nameof(Multicast), d.Multicast, 0, 1e6),
            k.Double(nameof(Broadcast), d.Broadcast, 0, 1e6),
            k.Double(nameof(Halt), d.Halt, 0, 1e6),
            k.Double(nameof(UserspaceExit), d.UserspaceExit, 0, 1e6),
            k.Double(nameof(Mmio), d.Mmio, 0, 1e6),
            k.Long(nameof(UserspaceNs), d.UserspaceNs, 0, MaxNs),
            k.Long(nameof(MmioNs), d.MmioNs, 0, MaxNs),
            k.Long(nameof(HaltTimeoutNs), d.HaltTimeoutNs, 0, MaxNs),
            k.Long(nameof(IpiLimit), d.IpiLimit, 0, long.MaxValue),
            k.Long(nameof(CompletionNs), d.CompletionNs, 0, MaxNs),
            k.Bool(nameof(CompletionPosted), d.CompletionPosted));
        k.RejectUnknown();
        errors.AddRange(k.Errors);
        return s;
    }
}
