using Emu.Core.Results;

namespace Emu.Tests.Svm;

/// <summary>
/// Erratum #1235 fault injection: the hardware acts on a stale IsRunning = 1 shortly after KVM cleared it, so a
/// vCPU that has just blocked gets a doorbell instead of a wake-up. Lost wake-ups appear; with enable_ipiv off
/// (KVM's mitigation) they cannot.
/// </summary>
public class Erratum1235Tests
{
    /// <summary>Idle vCPUs that halt often, without halt-polling, with the erratum window on (invariants off: the run goes on after a loss).</summary>
    internal static Dictionary<string, string?> HaltHeavy() => Scenario.Defaults()
        .With("Simulation:CheckInvariants", "false")
        .With("Simulation:DurationUs", "50000")
        .With("Vms:0:Workload:Kind", "Idle")
        .With("Vms:0:Workload:Ipi", "0.5")
        .With("Vms:0:Workload:Halt", "0.5")
        .With("Kvm:HaltPollNs", "0")
        .With("Svm:Erratum1235WindowNs", "20000");

    [Test]
    public void WithInjection_LostWakeupsAreDetectedAndReported()
    {
        var r = AvicScenario.Run(HaltHeavy());
        Assert.That(r.Totals.LostWakeups, Is.GreaterThan(0));
        Assert.That(r.LostWakeups, Is.Not.Empty);
        var first = r.LostWakeups[0];
        Assert.That(first.Detail, Does.Contain("physical entry 0x"), "the report shows the entry in hex");
        Assert.That(first.TimeNs, Is.GreaterThan(0));
    }

    [Test]
    public void WithInjection_AndEnableIpivOff_NoLostWakeups()
    {
        var r = AvicScenario.Run(HaltHeavy().With("Svm:EnableIpiv", "false"));
        Assert.That(r.Totals.VmExits.Hlt, Is.GreaterThan(100));
        Assert.That(r.Totals.LostWakeups, Is.Zero);
    }

    [Test]
    public void WithoutInjection_NoLostWakeups_InEitherMode()
    {
        foreach (string strict in new[] { "true", "false" })
        {
            var r = AvicScenario.Run(HaltHeavy().With("Svm:Erratum1235WindowNs", "0").With("Svm:AvicDoorbellStrict", strict).With("Simulation:CheckInvariants", "true"));
            Assert.That(r.Totals.Wakeups, Is.GreaterThan(100));
            Assert.That(r.Totals.LostWakeups, Is.Zero);
        }
    }

    [Test]
    public void WithInjection_AndInvariantChecks_TheRunStopsWithAReport()
    {
        using var sim = Scenario.Builder(HaltHeavy().With("Simulation:CheckInvariants", "true"), new Emu.Plugins.Svm.SvmPlugin()).Build();
        SimulationResult r = sim.Run();
        Assert.That(r.Completed, Is.False);
        Assert.That(r.Failure, Does.Contain("lost wake-up of vCPU"));
        Assert.That(r.Failure, Does.Contain("last events"));
        Assert.That(r.Failure, Does.Contain("physical entry 0x"));
    }
}
