using Emu.Core.Configuration;
using Emu.Core.Contracts;
using Microsoft.Extensions.Configuration;

namespace Emu.Core.Workloads;

/// <summary>The Mixed workload and its presets (IoHeavy, Idle): the same keys with other defaults.</summary>
internal sealed class MixedWorkloadFactory : IWorkloadFactory
{
    private readonly MixedSettings _defaults;

    public MixedWorkloadFactory(string kind, MixedSettings defaults)
    {
        Kind = kind;
        _defaults = defaults;
    }

    public string Kind { get; }

    public IWorkloadSettings? Bind(IConfigurationSection section, int vcpuCount, ICollection<string> errors)
    {
        var problems = new List<string>();
        var settings = MixedSettings.Read(section, _defaults, problems);
        foreach (string p in problems)
        {
            errors.Add(p);
        }

        return problems.Count == 0 ? settings : null;
    }
}

/// <summary>
/// A workload factory that reads its keys once into <typeparamref name="TSettings"/>, checks them, and creates
/// the workload from them; the VM needs <see cref="MinVcpus"/> to <see cref="MaxVcpus"/> vCPUs.
/// </summary>
internal abstract class KeyedWorkloadFactory<TSettings> : IWorkloadFactory
{
    protected KeyedWorkloadFactory(string kind, int minVcpus, int maxVcpus = int.MaxValue)
    {
        Kind = kind;
        MinVcpus = minVcpus;
        MaxVcpus = maxVcpus;
    }

    public string Kind { get; }

    public int MinVcpus { get; }

    public int MaxVcpus { get; }

    public IWorkloadSettings? Bind(IConfigurationSection section, int vcpuCount, ICollection<string> errors)
    {
        var keys = new SectionKeys(section, "Kind");
        var settings = Read(keys);
        keys.RejectUnknown();
        var problems = keys.Errors;
        if (vcpuCount < MinVcpus || vcpuCount > MaxVcpus)
        {
            string need = MinVcpus == MaxVcpus ? $"exactly {MinVcpus}" : $"at least {MinVcpus}";
            problems.Add($"{section.Path}: {Kind} needs {need} vCPUs in the VM{Why}; the VM has {vcpuCount}");
        }
        else
        {
            problems.AddRange(Check(section, settings, vcpuCount));
        }

        foreach (string p in problems)
        {
            errors.Add(p);
        }

        return problems.Count == 0 ? new Bound(this, settings) : null;
    }

    /// <summary>Why the vCPU count matters, for the message (e.g. " (a flooder and its target)").</summary>
    protected virtual string Why => string.Empty;

    protected abstract TSettings Read(SectionKeys keys);

    protected virtual IEnumerable<string> Check(IConfigurationSection section, TSettings settings, int vcpuCount) => Array.Empty<string>();

    protected abstract IWorkload Create(IWorkloadContext context, TSettings settings);

    /// <summary>The IPI vectors the workload sends that lie in the device range (<see cref="IIpiVectors"/>).</summary>
    protected virtual IEnumerable<byte> IpiVectors(TSettings settings) => Array.Empty<byte>();

    private sealed record Bound(KeyedWorkloadFactory<TSettings> Factory, TSettings Settings) : IWorkloadSettings, IIpiVectors
    {
        IEnumerable<byte> IIpiVectors.IpiVectors => Factory.IpiVectors(Settings);

        public IWorkload Create(IWorkloadContext context) => Factory.Create(context, Settings);
    }
}

internal sealed class PingPongWorkloadFactory() : KeyedWorkloadFactory<(long Compute, WaitMode Wait, long Rounds, long Timeout)>("PingPong", 2)
{
    protected override (long Compute, WaitMode Wait, long Rounds, long Timeout) Read(SectionKeys k) =>
        (k.Long("ComputeNs", 2000, 1, 3_600_000_000_000), k.Enum("Wait", WaitMode.Halt), k.Long("Rounds", 0, 0, long.MaxValue), k.Long("HaltTimeoutNs", 1_000_000, 0, 3_600_000_000_000));

    protected override IWorkload Create(IWorkloadContext context, (long Compute, WaitMode Wait, long Rounds, long Timeout) s) =>
        new PingPongWorkload(context, s.Compute, s.Wait, s.Rounds, s.Timeout);
}

internal sealed class TlbShootdownWorkloadFactory() : KeyedWorkloadFactory<(long Compute, long ReceiverCompute, double ReceiverHalt, long Timeout, long Rounds)>("TlbShootdown", 2)
{
    protected override (long Compute, long ReceiverCompute, double ReceiverHalt, long Timeout, long Rounds) Read(SectionKeys k) =>
        (k.Long("ComputeNs", 20_000, 1, 3_600_000_000_000), k.Long("ReceiverComputeNs", 5000, 1, 3_600_000_000_000),
            k.Double("ReceiverHalt", 0.3, 0, 1), k.Long("HaltTimeoutNs", 1_000_000, 0, 3_600_000_000_000), k.Long("Rounds", 0, 0, long.MaxValue));

    protected override IWorkload Create(IWorkloadContext context, (long Compute, long ReceiverCompute, double ReceiverHalt, long Timeout, long Rounds) s) =>
        new TlbShootdownWorkload(context, s.Compute, s.ReceiverCompute, s.ReceiverHalt, s.Timeout, s.Rounds);
}

internal sealed class IcrFloodWorkloadFactory() : KeyedWorkloadFactory<(long Gap, int Target, bool Flood, long Compute)>("IcrFlood", 2)
{
    protected override string Why => " (a flooder and its target)";

    protected override (long Gap, int Target, bool Flood, long Compute) Read(SectionKeys k) =>
        (k.Long("GapNs", 2500, 1, 3_600_000_000_000), (int)k.Long("Target", 1, 0, 254), k.Bool("Flood", true), k.Long("ComputeNs", 100_000, 1, 3_600_000_000_000));

    protected override IEnumerable<string> Check(IConfigurationSection section, (long Gap, int Target, bool Flood, long Compute) s, int vcpuCount)
    {
        if (s.Target < 1 || s.Target >= vcpuCount)
        {
            yield return $"{section.Path}:Target: {s.Target} is not another vCPU of the VM (1..{vcpuCount - 1})";
        }
    }

    protected override IWorkload Create(IWorkloadContext context, (long Gap, int Target, bool Flood, long Compute) s) =>
        new IcrFloodWorkload(context, s.Gap, s.Target, s.Flood, s.Compute);
}

internal sealed class XapicIpiTestWorkloadFactory() : KeyedWorkloadFactory<(long Compute, long Rounds)>("XapicIpiTest", 2, 2)
{
    protected override string Why => " (a halter and a sender)";

    protected override (long Compute, long Rounds) Read(SectionKeys k) =>
        (k.Long("SenderComputeNs", 1000, 1, 3_600_000_000_000), k.Long("Rounds", 0, 0, long.MaxValue));

    protected override IWorkload Create(IWorkloadContext context, (long Compute, long Rounds) s) => new XapicIpiTestWorkload(context, s.Compute, s.Rounds);

    protected override IEnumerable<byte> IpiVectors((long Compute, long Rounds) settings) => new[] { XapicIpiTestWorkload.TestVector };
}

/// <summary>The workloads Core ships.</summary>
public static class BuiltInWorkloads
{
    public static IReadOnlyList<IWorkloadFactory> All { get; } = new IWorkloadFactory[]
    {
        new MixedWorkloadFactory("Mixed", MixedSettings.MixedDefaults),
        new PingPongWorkloadFactory(),
        new TlbShootdownWorkloadFactory(),
        new MixedWorkloadFactory("IoHeavy", MixedSettings.IoHeavyDefaults),
        new MixedWorkloadFactory("Idle", MixedSettings.IdleDefaults),
        new IcrFloodWorkloadFactory(),
        new XapicIpiTestWorkloadFactory(),
        new IcrProbeWorkloadFactory(),
        new TraceReplayWorkloadFactory(),
    };
}
