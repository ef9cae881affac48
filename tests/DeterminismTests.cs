using Emu.Core.Results;
using Emu.Plugins.Svm;

namespace Emu.Tests;

public class DeterminismTests
{
    private static Dictionary<string, string?> Busy() => Scenario.Defaults()
        .With("Topology:CoresPerSocket", "2")
        .With("Vms:0:Vcpus", "6")
        .With("Vms:0:Workload:Halt", "0.3")
        .With("Vms:0:Workload:UserspaceExit", "0.2")
        .With("Vms:0:Workload:Multicast", "0.2")
        .With("Scheduler:Policy", "RoundRobin")
        .With("HostTasks:PerCpu", "1")
        .With("Svm:AvicDoorbellStrict", "false");

    [Test]
    public void SameConfigAndSeed_GiveByteIdenticalResults()
    {
        string a = ResultJson.Serialize(Scenario.Run(Busy(), new SvmPlugin()));
        string b = ResultJson.Serialize(Scenario.Run(Busy(), new SvmPlugin()));
        Assert.That(a, Is.EqualTo(b));
    }

    [Test]
    public void AnotherSeed_GivesOtherNumbers()
    {
        var a = Scenario.Run(Busy(), new SvmPlugin());
        var b = Scenario.Run(Busy().With("Simulation:Seed", "43"), new SvmPlugin());
        Assert.That(b.Totals.IpisSent, Is.Not.EqualTo(a.Totals.IpisSent));
    }

    [Test]
    public void AddingAVm_DoesNotChangeTheRandomDrawsOfAnother()
    {
        // Each VM's vCPUs draw from streams derived from (seed, VM index, vCPU index): VM 0's first IPI
        // targets are the same with or without a second VM, so pinned and isolated VM 0 sends the same IPIs.
        var one = Scenario.Defaults().With("Topology:CoresPerSocket", "8").With("Vms:0:Workload:IpiLimit", "30").With("Simulation:DurationUs", "40000");
        var two = one.With("Vms:1:Name", "vm1").With("Vms:1:Vcpus", "4").With("Vms:1:Workload:Kind", "Mixed");
        var r1 = Scenario.Run(one, new SvmPlugin());
        var r2 = Scenario.Run(two, new SvmPlugin());
        Assert.That(r2.Vms[0].Vcpus.Select(v => v.IpisReceived), Is.EqualTo(r1.Vms[0].Vcpus.Select(v => v.IpisReceived)));
    }
}
