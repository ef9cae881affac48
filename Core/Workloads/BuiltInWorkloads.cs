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

    public IEnumerable<string> Validate(IConfigurationSection section, int vcpuCount)
    {
        var errors = new List<string>();
        MixedSettings.Read(section, _defaults, errors);
        return errors;
    }

    public IWorkload Create(IWorkloadContext context, IConfigurationSection section) =>
        new MixedWorkload(context, MixedSettings.Read(section, _defaults, new List<string>()));
}

internal sealed class PingPongWorkloadFactory : IWorkloadFactory
{
    public string Kind => "PingPong";

    public IEnumerable<string> Validate(IConfigurationSection section, int vcpuCount)
    {
        var errors = new List<string>();
        Read(section, errors);
        if (vcpuCount < 2)
        {
            errors.Add($"{section.Path}: PingPong needs at least 2 vCPUs in the VM");
        }

        return errors;
    }

    public IWorkload Create(IWorkloadContext context, IConfigurationSection section)
    {
        var (compute, wait, rounds, timeout) = Read(section, new List<string>());
        return new PingPongWorkload(context, compute, wait, rounds, timeout);
    }

    private static (long Compute, WaitMode Wait, long Rounds, long Timeout) Read(IConfigurationSection section, List<string> errors)
    {
        var k = new SectionKeys(section, "Kind");
        var r = (k.Long("ComputeNs", 2000, 1, 3_600_000_000_000), k.Enum("Wait", WaitMode.Halt), k.Long("Rounds", 0, 0, long.MaxValue), k.Long("HaltTimeoutNs", 1_000_000, 0, 3_600_000_000_000));
        k.RejectUnknown();
        errors.AddRange(k.Errors);
        return r;
    }
}

internal sealed class TlbShootdownWorkloadFactory : IWorkloadFactory
{
    public string Kind => "TlbShootdown";

    public IEnumerable<string> Validate(IConfigurationSection section, int vcpuCount)
    {
        var errors = new List<string>();
        Read(section, errors);
        if (vcpuCount < 2)
        {
            errors.Add($"{section.Path}: TlbShootdown needs at least 2 vCPUs in the VM");
        }

        return errors;
    }

    public IWorkload Create(IWorkloadContext context, IConfigurationSection section)
    {
        var s = Read(section, new List<string>());
        return new TlbShootdownWorkload(context, s.Compute, s.ReceiverCompute, s.ReceiverHalt, s.Timeout, s.Rounds);
    }

    private static (long Compute, long ReceiverCompute, double ReceiverHalt, long Timeout, long Rounds) Read(IConfigurationSection section, List<string> errors)
    {
        var k = new SectionKeys(section, "Kind");
        var r = (k.Long("ComputeNs", 20_000, 1, 3_600_000_000_000), k.Long("ReceiverComputeNs", 5000, 1, 3_600_000_000_000),
            k.Double("ReceiverHalt", 0.3, 0, 1), k.Long("HaltTimeoutNs", 1_000_000, 0, 3_600_000_000_000), k.Long("Rounds", 0, 0, long.MaxValue));
        k.RejectUnknown();
        errors.AddRange(k.Errors);
        return r;
    }
}

internal sealed class IcrFloodWorkloadFactory : IWorkloadFactory
{
    public string Kind => "IcrFlood";

    public IEnumerable<string> Validate(IConfigurationSection section, int vcpuCount)
    {
        var errors = new List<string>();
        var (_, target, _, _) = Read(section, errors);
        if (vcpuCount < 2)
        {
            errors.Add($"{section.Path}: IcrFlood needs at least 2 vCPUs in the VM (a flooder and its target)");
        }
        else if (target < 1 || target >= vcpuCount)
        {
            errors.Add($"{section.Path}:Target: {target} is not another vCPU of the VM (1..{vcpuCount - 1})");
        }

        return errors;
    }

    public IWorkload Create(IWorkloadContext context, IConfigurationSection section)
    {
        var (gap, target, flood, compute) = Read(section, new List<string>());
        return new IcrFloodWorkload(context, gap, target, flood, compute);
    }

    private static (long Gap, int Target, bool Flood, long Compute) Read(IConfigurationSection section, List<string> errors)
    {
        var k = new SectionKeys(section, "Kind");
        var r = (k.Long("GapNs", 2500, 1, 3_600_000_000_000), (int)k.Long("Target", 1, 0, 254), k.Bool("Flood", true), k.Long("ComputeNs", 100_000, 1, 3_600_000_000_000));
        k.RejectUnknown();
        errors.AddRange(k.Errors);
        return r;
    }
}

internal sealed class XapicIpiTestWorkloadFactory : IWorkloadFactory
{
    public string Kind => "XapicIpiTest";

    public IEnumerable<string> Validate(IConfigurationSection section, int vcpuCount)
    {
        var errors = new List<string>();
        Read(section, errors);
        if (vcpuCount != 2)
        {
            errors.Add($"{section.Path}: XapicIpiTest runs on exactly 2 vCPUs (a halter and a sender); the VM has {vcpuCount}");
        }

        return errors;
    }

    public IWorkload Create(IWorkloadContext context, IConfigurationSection section)
    {
        var (compute, rounds) = Read(section, new List<string>());
        return new XapicIpiTestWorkload(context, compute, rounds);
    }

    private static (long Compute, long Rounds) Read(IConfigurationSection section, List<string> errors)
    {
        var k = new SectionKeys(section, "Kind");
        var r = (k.Long("SenderComputeNs", 1000, 1, 3_600_000_000_000), k.Long("Rounds", 0, 0, long.MaxValue));
        k.RejectUnknown();
        errors.AddRange(k.Errors);
        return r;
    }
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
    };
}
