using Emu.Core.Contracts;
using Emu.Core.Engine;
using Emu.Core.Results;
using Emu.Plugins.NestedSvm;
using Emu.Plugins.Svm;
using Emu.Tests.NestedSvm;

namespace Emu.Tests.Architecture;

/// <summary>
/// What the contracts hand out: an embedder observes but cannot displace Core's run monitor, co-simulation can
/// peek at the next event, plugins own their config keys, and every doorbell (L1 or L2) lands in one bucket.
/// </summary>
public class RoleContractTests
{
    /// <summary>Counts the events it sees.</summary>
    private sealed class Counter : IEventObserver
    {
        public long Seen { get; private set; }

        public void AfterEvent(in SimEvent e) => Seen++;
    }

    private static Dictionary<string, string?> Erratum() => Emu.Tests.Svm.Erratum1235Tests.HaltHeavy();

    [Test]
    public void Observers_SeeEveryEvent_AndCannotSwitchOffLostWakeupDetection()
    {
        var keys = Erratum();
        var alone = Scenario.Run(keys, new SvmPlugin());
        using var sim = Scenario.Builder(keys, new SvmPlugin()).Build();
        var first = new Counter();
        var second = new Counter();
        sim.AddObserver(first);
        sim.AddObserver(second);
        var observed = sim.Run();

        Assert.That(alone.Totals.LostWakeups, Is.GreaterThan(0), "the erratum scenario loses wake-ups");
        Assert.That(observed.Totals.LostWakeups, Is.EqualTo(alone.Totals.LostWakeups), "observers do not displace the run monitor");
        Assert.That(ResultJson.Serialize(observed with { WallSeconds = 0 }), Is.EqualTo(ResultJson.Serialize(alone with { WallSeconds = 0 })));
        Assert.That(first.Seen, Is.EqualTo(observed.Events));
        Assert.That(second.Seen, Is.EqualTo(observed.Events));
    }

    [Test]
    public void Peek_IsTheTimeOfTheNextEvent_AndStepAdvancesToIt()
    {
        using var sim = Scenario.Builder(Scenario.Defaults(), new SvmPlugin()).Build();
        for (int i = 0; i < 1000; i++)
        {
            long next = sim.Peek();
            Assert.That(next, Is.GreaterThanOrEqualTo(sim.Now));
            Assert.That(sim.Step(), Is.True);
            Assert.That(sim.Now, Is.EqualTo(next));
        }
    }

    [Test]
    public void OldHaltPollKey_IsRefused_NamingItsNewPlace()
    {
        var errors = Scenario.Builder(Scenario.Defaults().With("Svm:HaltPollNs", "0"), new SvmPlugin()).Validate();
        Assert.That(errors, Has.Some.StartsWith("Svm:HaltPollNs: moved to Kvm:HaltPollNs"));
        Assert.That(errors, Has.None.Contains("unknown key"), "one message, not a second 'unknown key' for the same key");
    }

    [Test]
    public void PluginSections_AreUnknownWithoutTheirPlugin_AndTyposInThemAreCaught()
    {
        var withoutSvm = Scenario.Builder(Scenario.Defaults().With("Svm:AvicDoorbellStrict", "false")).Validate();
        Assert.That(withoutSvm, Has.Some.StartsWith("Svm: unknown section"));
        var typo = Scenario.Builder(Scenario.Defaults().With("Svm:AvicDorbellStrict", "false"), new SvmPlugin()).Validate();
        Assert.That(typo, Has.Some.StartsWith("Svm:AvicDorbellStrict: unknown key"));
        var kvmTypo = Scenario.Builder(Scenario.Defaults().With("Kvm:HaltPoll", "0")).Validate();
        Assert.That(kvmTypo, Has.Some.StartsWith("Kvm:HaltPoll: unknown key"));
    }

    [TestCase(true)]
    [TestCase(false)]
    public void EveryDoorbell_L1AndL2_IsCountedInExactlyOneBucket(bool strict)
    {
        var r = NestedScenario.Run(NestedScenario.Overcommitted().With("Svm:AvicDoorbellStrict", strict ? "true" : "false"));
        var d = r.Totals.Doorbells;
        Assert.That(NestedScenario.Nested(r).L2Doorbells, Is.GreaterThan(0), "the scenario rings L2 doorbells");
        long landed = d.ToRunningTarget + d.ToTargetInHost + d.Spurious;
        Assert.That(landed, Is.InRange(d.Sent - 4, d.Sent), "a few may still be on their way at the end");
        Assert.That(r.Pcpus.Sum(p => p.DoorbellsReceived), Is.EqualTo(landed));
        Assert.That(NestedScenario.Nested(r).L2SpuriousDoorbells, Is.LessThanOrEqualTo(d.Spurious));
    }

    [Test]
    public void NestedResultSection_AppearsOnlyForAVmWithAnL2Guest()
    {
        var keys = NestedScenario.Overcommitted()
            .With("Vms:1:Name", "plain")
            .With("Vms:1:Vcpus", "1")
            .With("Vms:1:Workload:Kind", "Idle");
        var r = NestedScenario.Run(keys);
        Assert.That(r.Vms[0].Sections, Does.ContainKey("nested"));
        Assert.That(r.Vms[1].Sections, Is.Null);
        var json = ResultJson.Serialize(r);
        Assert.That(ResultJson.Serialize(ResultJson.Deserialize(json)!), Is.EqualTo(json), "plugin sections round-trip through the result type");
        Assert.That(typeof(NestedResult).Assembly, Is.Not.SameAs(typeof(SimulationResult).Assembly), "the nested figures are the plugin's type");
    }
}
