using Emu.Core.Configuration;
using Emu.Core.Contracts;
using Emu.Core.Model;
using Microsoft.Extensions.Configuration;

namespace EmuPlugin1;

/// <summary>
/// The "EmuWorkloadKind" workload: each vCPU computes, then sends a burst of Burst IPIs to one random peer,
/// then halts until an interrupt or its timer. Keys (Vms:i:Workload:*): ComputeNs, Burst, HaltTimeoutNs.
/// Randomness comes only from the context's per-vCPU streams, so runs are reproducible.
/// </summary>
internal sealed class Workload : IWorkload
{
    private const byte Vector = 0xF3;
    private readonly IWorkloadContext _ctx;
    private readonly Settings _settings;
    private readonly int[] _left;

    public Workload(IWorkloadContext ctx, Settings settings)
    {
        _ctx = ctx;
        _settings = settings;
        _left = new int[ctx.Vm.VcpuCount];
    }

    public GuestAction Next(int vcpu)
    {
        var rng = _ctx.Random(vcpu);
        int n = _ctx.Vm.VcpuCount;
        if (_left[vcpu] > 0 && n > 1)
        {
            _left[vcpu]--;
            int peer = (vcpu + 1 + rng.NextInt(n - 1)) % n;
            return GuestAction.SendIpi(Icr.Fixed(Vector, (byte)_ctx.Vcpu(peer).ApicId));
        }

        if (_left[vcpu] == 0)
        {
            _left[vcpu] = -1;
            return GuestAction.Halt(rng.Exponential(_settings.HaltTimeoutNs));
        }

        _left[vcpu] = (int)_settings.Burst;
        return GuestAction.Compute(rng.Exponential(_settings.ComputeNs));
    }

    public void OnInterrupt(int vcpu, byte vector)
    {
    }
}

/// <summary>The workload's keys, read once by the factory's Bind; they create the workload of each run.</summary>
internal sealed record Settings(long ComputeNs, long Burst, long HaltTimeoutNs) : IWorkloadSettings
{
    public IWorkload Create(IWorkloadContext context) => new Workload(context, this);

    public static Settings Read(IConfigurationSection section, List<string> errors)
    {
        // "Kind" is the caller's key (it picked this factory), not a typo.
        var keys = new SectionKeys(section, "Kind");
        var s = new Settings(
            keys.Long("ComputeNs", 5000, 1, 1_000_000_000),
            keys.Long("Burst", 3, 0, 1000),
            keys.Long("HaltTimeoutNs", 100_000, 1, 1_000_000_000));
        keys.RejectUnknown();
        errors.AddRange(keys.Errors);
        return s;
    }
}

internal sealed class WorkloadFactory : IWorkloadFactory
{
    public string Kind => "EmuWorkloadKind";

    /// <summary>Reads and checks the VM's Workload section once; every error goes to <paramref name="errors"/>, naming its key.</summary>
    public IWorkloadSettings? Bind(IConfigurationSection section, int vcpuCount, ICollection<string> errors)
    {
        var problems = new List<string>();
        var settings = Settings.Read(section, problems);
        foreach (string p in problems)
        {
            errors.Add(p);
        }

        return problems.Count == 0 ? settings : null;
    }
}
