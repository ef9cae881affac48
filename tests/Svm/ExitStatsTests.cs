using Emu.Core.Model;
using Emu.Tests.Fidelity.KvmRules;

namespace Emu.Tests.Svm;

/// <summary>result.json's exitStats, perf kvm stat's report: by KVM's exit names, counts and times that add up.</summary>
public class ExitStatsTests
{
    [Test]
    public void ByReason_CountsMatchTheExitCounters_AndSharesAddUpToOne()
    {
        var keys = Scenario.Defaults()
            .With("Simulation:DurationUs", "5000")
            .With("Vms:0:Workload:Halt", "0.2")
            .With("Vms:0:Workload:UserspaceExit", "0.1")
            .With("Vms:0:Workload:Mmio", "0.05")
            .With("Topology:CoresPerSocket", "2")
            .With("Scheduler:Policy", "RoundRobin")
            .With("Scheduler:TimeSliceUs", "100");
        var r = AvicScenario.Run(keys);
        var byName = r.ExitStats.ToDictionary(e => e.Reason);
        long inProgress = r.Vms[0].Vcpus.Count; // an exit not yet back in guest mode at the end is not timed
        Assert.That(r.ExitStats.Sum(e => e.Count), Is.InRange(r.Totals.VmExits.Total - inProgress, r.Totals.VmExits.Total));
        Assert.That(byName["avic_incomplete_ipi"].Count, Is.InRange(r.IncompleteIpiExits() - inProgress, r.IncompleteIpiExits()));
        Assert.That(byName["hlt"].Count, Is.InRange(r.Totals.VmExits.Hlt - inProgress, r.Totals.VmExits.Hlt));
        Assert.That(byName["io"].Count, Is.InRange(r.Totals.VmExits.Userspace - inProgress, r.Totals.VmExits.Userspace));
        Assert.That(byName["npf"].Count, Is.InRange(r.Totals.VmExits.Mmio - inProgress, r.Totals.VmExits.Mmio));
        Assert.That(r.ExitStats.Sum(e => e.TimeShare), Is.EqualTo(1.0).Within(0.001));
        foreach (var e in r.ExitStats)
        {
            Assert.That(e.MinNs, Is.LessThanOrEqualTo(e.MeanNs).And.GreaterThan(0), e.Reason);
            Assert.That(e.MeanNs, Is.LessThanOrEqualTo(e.MaxNs), e.Reason);
            Assert.That(e.TotalNs / e.Count, Is.EqualTo(e.MeanNs), e.Reason);
        }

        Assert.That(r.ExitStats.Select(e => e.Count), Is.Ordered.Descending, "as perf kvm stat sorts");
    }

    [Test]
    public void AfterAWarmUp_ExitsUnderWayAreNotCounted_SoStatsNeverExceedTheExits()
    {
        var keys = Scenario.Defaults().With("Simulation:DurationUs", "3000").With("Simulation:WarmupUs", "2000").With("Vms:0:Workload:Halt", "0.5");
        var r = AvicScenario.Run(keys);
        Assert.That(r.ExitStats.Sum(e => e.Count), Is.LessThanOrEqualTo(r.Totals.VmExits.Total));
        Assert.That(r.ExitStats.Single(e => e.Reason == "hlt").MaxNs, Is.LessThanOrEqualTo(r.SimulatedNs), "no exit longer than the measured span");
    }

    [Test]
    public void ATargetNotRunningExit_TakesTheExitAndKvmsHandler()
    {
        // A write to a halted (blocked) vCPU: the sender exits for VmExitNs + IpiEmulationNs, then re-enters.
        var r = new Probe().Role(1, "Halt").Write(20_000, Icr.Fixed(0xE0, 1)).Run();
        var ipi = r.ExitStats.Single(e => e.Reason == "avic_incomplete_ipi");
        Assert.That((ipi.Count, ipi.MinNs, ipi.MaxNs), Is.EqualTo((1L, 450L + 400L, 450L + 400L)));
    }
}
