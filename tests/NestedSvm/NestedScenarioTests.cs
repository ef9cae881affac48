using Emu.Core.Building;
using Emu.Core.Contracts;
using Emu.Core.Model;
using Emu.Core.Results;
using Emu.Plugins.NestedSvm;
using Microsoft.Extensions.DependencyInjection;

namespace Emu.Tests.NestedSvm;

public class NestedScenarioTests
{
    /// <summary>Looks at the shadow entries of an L1 vCPU right after Svm's put hook ran for it.</summary>
    private sealed class PutObserver(Func<Simulation> sim) : IVcpuLifecycleHooks
    {
        public int PutsWhileRunningL2 { get; private set; }

        public int ShadowKeptRunning { get; private set; }

        public int ShadowStillRunningWrongly { get; private set; }

        public void Load(int vcpu, int pcpu)
        {
        }

        public void Put(int vcpu)
        {
            var machine = sim().Machine;
            var n = ((NestedAvic)sim().Nested!).Vm(0)!;
            int h = machine.Vcpu(vcpu).IndexInVm;
            int k = n.Current[h];
            if (k < 0)
            {
                return;
            }

            PutsWhileRunningL2++;
            var shadow = new PhysicalApicIdEntry(n.Shadow[k]);
            if (shadow.IsRunning && shadow.HostPhysicalApicId == machine.Topology.Cpus[machine.CpuOf(vcpu)].ApicId)
            {
                ShadowKeptRunning++;
            }
            else if (shadow.IsRunning)
            {
                ShadowStillRunningWrongly++;
            }
        }

        public void Blocking(int vcpu)
        {
        }

        public void Unblocking(int vcpu)
        {
        }
    }

    [TestCase(true)]
    [TestCase(false)]
    public void NestedPut_StrictClearsTheShadow_NonStrictKeepsItRunningOnTheLastPcpu(bool strict)
    {
        var keys = NestedScenario.Overcommitted().With("Svm:AvicDoorbellStrict", strict ? "true" : "false").With("Vms:0:Workload:Halt", "0").With("Simulation:DurationUs", "60000");
        PutObserver? observer = null;
        Simulation? simRef = null;
        using var sim = NestedScenario.Builder(keys)
            .ConfigureServices(s => s.AddSingleton<IVcpuLifecycleHooks>(_ => observer = new PutObserver(() => simRef!)))
            .Build();
        simRef = sim;
        var r = sim.Run();
        Assert.That(r.Failure, Is.Null);
        Assert.That(observer!.PutsWhileRunningL2, Is.GreaterThan(10), "L1 vCPUs were preempted while running L2");
        Assert.That(observer.ShadowStillRunningWrongly, Is.Zero);
        if (strict)
        {
            Assert.That(observer.ShadowKeptRunning, Is.Zero);
        }
        else
        {
            Assert.That(observer.ShadowKeptRunning, Is.EqualTo(observer.PutsWhileRunningL2), "the nested put is skipped");
        }
    }

    [Test]
    public void NestedAvicOnAndOff_DeliverTheSameL2InterruptsToTheSameL2Vcpus()
    {
        var keys = NestedScenario.Overcommitted()
            .With("Simulation:DurationUs", "80000")
            .With("Vms:0:Nested:Workload:Multicast", "0.3")
            .With("Vms:0:Nested:Workload:Broadcast", "0.1")
            .With("Vms:0:Nested:Workload:IpiLimit", "30");
        var variants = new[]
        {
            keys.With("Vms:0:Nested:Avic", "false"),
            keys.With("Svm:AvicDoorbellStrict", "true"),
            keys.With("Svm:AvicDoorbellStrict", "false"),
        };
        var received = new List<long[]>();
        foreach (var v in variants)
        {
            using var sim = NestedScenario.Builder(v).Build();
            var r = sim.Run();
            Assert.That(r.Failure, Is.Null);
            var n = ((NestedAvic)sim.Nested!).Vm(0)!;
            var nested = NestedScenario.Nested(r);
            Assert.That(n.Sent, Is.All.EqualTo(30L), "every L2 vCPU sent all its IPIs");
            Assert.That(nested.L2IpisDelivered, Is.EqualTo(nested.L2IpisSent), "every L2 IPI was taken by the end");
            received.Add(n.Received);
        }

        Assert.That(received[1], Is.EqualTo(received[0]), "strict nested AVIC vs L1 emulation");
        Assert.That(received[2], Is.EqualTo(received[0]), "non-strict nested AVIC vs L1 emulation");
        Assert.That(received[0].Sum(), Is.GreaterThan(120));
    }

    [Test]
    public void PreemptedL1Vcpus_StrictTakesL2ExitsThatNonStrictAvoids()
    {
        var keys = NestedScenario.Overcommitted().With("Vms:0:Workload:Halt", "0").With("Simulation:DurationUs", "60000");
        var strict = NestedScenario.Nested(NestedScenario.Run(keys.With("Svm:AvicDoorbellStrict", "true")));
        var nonStrict = NestedScenario.Nested(NestedScenario.Run(keys.With("Svm:AvicDoorbellStrict", "false")));
        Assert.That(strict.L2ExitsHiddenByL0, Is.GreaterThan(0), "L2 IPIs to an L2 vCPU whose L1 vCPU was put exit to L0");
        Assert.That(nonStrict.L2ExitsHiddenByL0, Is.Zero, "non-strict skips the nested put: peers ring the last pCPU instead");
        Assert.That(nonStrict.L2SpuriousDoorbells, Is.GreaterThan(0), "and some of those doorbells find someone else there");
        Assert.That(strict.L2SpuriousDoorbells, Is.Zero);
    }

    [Test]
    public void PinnedL1VcpusNeverPut_StrictAndNonStrictGiveIdenticalTotals()
    {
        var keys = Scenario.Defaults()
            .With("Vms:0:Workload:Halt", "0")
            .With("Vms:0:Nested:Vcpus", "4")
            .With("Vms:0:Nested:Workload:Kind", "Mixed")
            .With("Vms:0:Nested:Workload:Halt", "0.3")
            .With("Vms:0:Nested:Workload:Multicast", "0.2");
        var strict = NestedScenario.Run(keys.With("Svm:AvicDoorbellStrict", "true"));
        var nonStrict = NestedScenario.Run(keys.With("Svm:AvicDoorbellStrict", "false"));
        Assert.That(NestedScenario.Nested(strict).L2IpisSent, Is.GreaterThan(1000));
        Assert.That(ResultJson.Serialize(nonStrict with { InterruptVirtualization = "", Config = strict.Config }),
            Is.EqualTo(ResultJson.Serialize(strict with { InterruptVirtualization = "" })));
    }

    [Test]
    public void WithoutTheNestedSvmPlugin_NestedVmsAreRefused_AndOtherRunsAreUnaffected()
    {
        var nested = NestedScenario.Overcommitted();
        var errors = Scenario.Builder(nested, new Emu.Plugins.Svm.SvmPlugin()).Validate();
        Assert.That(errors, Has.Some.StartsWith("Vms:0:Nested: unknown key"));

        var plain = Scenario.Defaults();
        var without = Scenario.Run(plain, new Emu.Plugins.Svm.SvmPlugin());
        var with = NestedScenario.Run(plain);
        Assert.That(with.Vms[0].Sections, Is.Null);
        Assert.That(ResultJson.Serialize(with with { Producer = null }), Is.EqualTo(ResultJson.Serialize(without with { Producer = null })), "the same run but for the plugins its producer lists");
    }

    [TestCase("Vms:0:Nested:Vcpus", "6", "Vms:0:Nested:Vcpus: 6 L2 vCPUs pinned 1:1 need at least 6 L1 vCPUs")]
    [TestCase("Vms:0:Nested:L2Share", "2", "Vms:0:Nested:L2Share: must be between 0.01 and 1")]
    [TestCase("Vms:0:Nested:Mapping", "Scatter", "Vms:0:Nested:Mapping: unknown value 'Scatter' (known: Pinned, Spread)")]
    [TestCase("Vms:0:Nested:Workload:Kind", "Bursty", "Vms:0:Nested:Workload:Kind: unknown workload 'Bursty' (known: Mixed")]
    [TestCase("Vms:0:Nested:Speed", "1", "Vms:0:Nested:Speed: unknown key")]
    [TestCase("Vms:0:Nested:Avic", "maybe", "Vms:0:Nested:Avic: 'maybe' is not true or false")]
    public void BadNestedSection_IsRefusedWithTheKey(string key, string value, string expected)
    {
        var errors = NestedScenario.Builder(NestedScenario.Overcommitted().With(key, value)).Validate();
        Assert.That(errors, Has.Some.Contains(expected));
    }
}
