using System.Globalization;
using Emu.Core.Configuration;
using Emu.Core.Contracts;
using Emu.Core.Model;
using Microsoft.Extensions.Configuration;

namespace Emu.Core.Workloads;

/// <summary>What a probed vCPU does between the probe's writes.</summary>
public enum ProbeRole
{
    /// <summary>Computes in long bursts: in guest mode on its pCPU.</summary>
    Compute,

    /// <summary>Halts with no timer: only an interrupt wakes it, and it halts again.</summary>
    Halt,

    /// <summary>Exits to userspace for long stretches (KVM_RUN returned: put).</summary>
    Userspace,
}

/// <summary>One ICR write of the probe: vCPU <see cref="From"/> writes <see cref="Icr"/> once guest time reaches <see cref="AtNs"/>.</summary>
public sealed record ProbeWrite(long AtNs, int From, Icr Icr);

/// <summary>
/// A workload for checking KVM's rules one ICR write at a time (tests/Fidelity/KvmRules): each vCPU plays a role
/// (Compute, Halt, Userspace; <c>Roles:&lt;vcpu&gt;</c>, default Compute), and the VM's vCPUs write the ICR values of
/// <c>Writes:i</c> (<c>AtNs</c>, <c>From</c>, <c>Icr</c> as a 64-bit hex or decimal value) when their guest time
/// reaches them, computing until then. Interrupts are only counted (by Core).
/// </summary>
internal sealed class IcrProbeWorkload : IWorkload
{
    private const long BurstNs = 1_000_000;

    private readonly IWorkloadContext _ctx;
    private readonly ProbeRole[] _roles;
    private readonly Queue<ProbeWrite>[] _writes;

    public IcrProbeWorkload(IWorkloadContext ctx, ProbeRole[] roles, IReadOnlyList<ProbeWrite> writes)
    {
        _ctx = ctx;
        _roles = roles;
        _writes = new Queue<ProbeWrite>[roles.Length];
        for (int i = 0; i < roles.Length; i++)
        {
            _writes[i] = new Queue<ProbeWrite>(writes.Where(w => w.From == i).OrderBy(w => w.AtNs));
        }
    }

    public GuestAction Next(int vcpu)
    {
        var mine = _writes[vcpu];
        if (mine.Count > 0)
        {
            long wait = mine.Peek().AtNs - _ctx.Now;
            return wait > 0 ? GuestAction.Compute(wait) : GuestAction.SendIpi(mine.Dequeue().Icr);
        }

        return _roles[vcpu] switch
        {
            ProbeRole.Halt => GuestAction.Halt(0),
            ProbeRole.Userspace => GuestAction.Userspace(BurstNs),
            _ => GuestAction.Compute(BurstNs),
        };
    }

    public void OnInterrupt(int vcpu, byte vector)
    {
    }
}

/// <summary>Binds the IcrProbe workload's Roles and Writes once.</summary>
internal sealed class IcrProbeWorkloadFactory : IWorkloadFactory
{
    public string Kind => "IcrProbe";

    public IWorkloadSettings? Bind(IConfigurationSection section, int vcpuCount, ICollection<string> errors)
    {
        var problems = new List<string>();
        var keys = new SectionKeys(section, "Kind", "Roles", "Writes");
        keys.RejectUnknown();
        problems.AddRange(keys.Errors);
        var roles = new ProbeRole[vcpuCount];
        foreach (var role in section.GetSection("Roles").GetChildren())
        {
            if (!int.TryParse(role.Key, NumberStyles.None, CultureInfo.InvariantCulture, out int v) || v >= vcpuCount)
            {
                problems.Add($"{role.Path}: no vCPU {role.Key} in the VM (0..{vcpuCount - 1})");
            }
            else if (!Enum.TryParse(role.Value, ignoreCase: true, out roles[v]) || !Enum.IsDefined(roles[v]))
            {
                problems.Add($"{role.Path}: unknown role '{role.Value}' (known: {string.Join(", ", Enum.GetNames<ProbeRole>())})");
            }
        }

        var writes = new List<ProbeWrite>();
        foreach (var w in section.GetSection("Writes").GetChildren())
        {
            var k = new SectionKeys(w, "Icr");
            long at = k.Long("AtNs", 0, 0, 3_600_000_000_000);
            int from = (int)k.Long("From", 0, 0, vcpuCount - 1);
            k.RejectUnknown();
            problems.AddRange(k.Errors);
            string? raw = w["Icr"];
            ulong icr = 0;
            bool ok = raw is not null && (raw.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
                ? ulong.TryParse(raw.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out icr)
                : ulong.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out icr));
            if (!ok)
            {
                problems.Add($"{w.Path}:Icr: '{raw}' is not a 64-bit ICR value (hex 0x... or decimal)");
            }

            writes.Add(new ProbeWrite(at, from, new Icr(icr)));
        }

        foreach (string p in problems)
        {
            errors.Add(p);
        }

        return problems.Count == 0 ? new Settings(roles, writes) : null;
    }

    private sealed record Settings(ProbeRole[] Roles, IReadOnlyList<ProbeWrite> Writes) : IWorkloadSettings, IIpiVectors
    {
        public IEnumerable<byte> IpiVectors => Writes.Where(w => w.Icr.DeliveryMode == DeliveryMode.Fixed).Select(w => w.Icr.Vector).Distinct();

        public IWorkload Create(IWorkloadContext context) => new IcrProbeWorkload(context, Roles, Writes);
    }
}
