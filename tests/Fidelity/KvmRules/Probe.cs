using System.Globalization;
using Emu.Core.Model;
using Emu.Core.Results;
using Emu.Plugins.Svm;

namespace Emu.Tests.Fidelity.KvmRules;

/// <summary>
/// A VM of IcrProbe vCPUs, one pCPU each unless a test shares one, invariants on: a rule's ICR writes at given guest
/// times, then its exact counts. vCPU 0 writes; the others play their roles (Compute, Halt, Userspace).
/// </summary>
internal sealed class Probe
{
    private Dictionary<string, string?> _keys;
    private int _writes;

    public Probe(int vcpus = 4, int pcpus = 4)
    {
        _keys = Scenario.Defaults()
            .With("Simulation:DurationUs", "300")
            .With("Topology:CoresPerSocket", pcpus.ToString(CultureInfo.InvariantCulture))
            .With("Topology:ThreadsPerCore", "1")
            .With("Vms:0:Vcpus", vcpus.ToString(CultureInfo.InvariantCulture))
            .With("Vms:0:Workload:Kind", "IcrProbe");
    }

    public Probe Role(int vcpu, string role) => Set($"Vms:0:Workload:Roles:{vcpu}", role);

    public Probe Write(long atNs, Icr icr, int from = 0)
    {
        string at = $"Vms:0:Workload:Writes:{_writes}";
        _writes++;
        return Set($"{at}:AtNs", atNs.ToString(CultureInfo.InvariantCulture))
            .Set($"{at}:From", from.ToString(CultureInfo.InvariantCulture))
            .Set($"{at}:Icr", "0x" + icr.Value.ToString("X16", CultureInfo.InvariantCulture));
    }

    public Probe Strict(bool strict) => Set("Svm:AvicDoorbellStrict", strict ? "true" : "false");

    public Probe Set(string key, string value)
    {
        _keys = _keys.With(key, value);
        return this;
    }

    public SimulationResult Run() => Scenario.Run(_keys, new SvmPlugin());
}

internal static class ResultExtensions
{
    public static IncompleteIpiExits Incomplete(this SimulationResult r) => r.Totals.VmExits.AvicIncompleteIpi;

    public static long Accepted(this SimulationResult r, int vcpu) => r.Vms[0].Vcpus[vcpu].InterruptsAccepted;
}
