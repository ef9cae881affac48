using Emu.Core.Results;

namespace Emu.Tests.Svm;

/// <summary>The strict / non-strict trade-off of issue #4, through real scenarios with invariants checked.</summary>
public class DoorbellPolicyTests
{
    [Test]
    public void PinnedOneToOne_NoHaltsNoUserspace_NoIpiExitsAtAll()
    {
        foreach (bool strict in new[] { true, false })
        {
            var r = AvicScenario.Run(Scenario.Defaults().Strict(strict));
            Assert.That(r.Totals.IpisSent, Is.GreaterThan(1000));
            Assert.That(r.IncompleteIpiExits(), Is.Zero, $"strict={strict}");
            Assert.That(r.Totals.VmExits.IcrWrite, Is.Zero);
            Assert.That(r.Totals.Doorbells.Spurious, Is.Zero);
            Assert.That(r.Totals.IpisDelivered, Is.EqualTo(r.Totals.IpisSent));
        }
    }

    [Test]
    public void FrequentUserspaceExits_StrictExits_NonStrictDoesNot()
    {
        var keys = Scenario.Defaults()
            .With("Vms:0:Workload:Kind", "IoHeavy")
            .With("Vms:0:Workload:Ipi", "0.5")
            .With("Vms:0:Workload:UserspaceExit", "0.5");
        var strict = AvicScenario.Run(keys.Strict(true));
        var nonStrict = AvicScenario.Run(keys.Strict(false));
        TestContext.Out.WriteLine($"strict TNR={strict.Totals.VmExits.AvicIncompleteIpi.TargetNotRunning} nonstrict TNR={nonStrict.Totals.VmExits.AvicIncompleteIpi.TargetNotRunning} nonstrict spurious={nonStrict.Totals.Doorbells.Spurious}");
        Assert.That(strict.Totals.VmExits.Userspace, Is.GreaterThan(100));
        Assert.That(strict.Totals.VmExits.AvicIncompleteIpi.TargetNotRunning, Is.GreaterThan(10));
        Assert.That(nonStrict.Totals.VmExits.AvicIncompleteIpi.TargetNotRunning, Is.Zero);
        Assert.That(nonStrict.Totals.LostWakeups + strict.Totals.LostWakeups, Is.Zero);
    }

    [Test]
    public void OvercommitWithHostTasks_NonStrictHitsForeignTasks_StrictNever()
    {
        var keys = Scenario.Defaults()
            .With("Topology:CoresPerSocket", "2")
            .With("Topology:ThreadsPerCore", "1")
            .With("Vms:0:Vcpus", "4")
            .With("Scheduler:Policy", "RoundRobin")
            .With("Scheduler:TimeSliceUs", "500")
            .With("HostTasks:PerCpu", "1")
            .With("HostTasks:RunUs", "300")
            .With("HostTasks:SleepUs", "300");
        var strict = AvicScenario.Run(keys.Strict(true));
        var nonStrict = AvicScenario.Run(keys.Strict(false));
        TestContext.Out.WriteLine($"strict: TNR={strict.Totals.VmExits.AvicIncompleteIpi.TargetNotRunning} foreign={strict.Totals.Doorbells.SpuriousOnForeignTask}; non-strict: TNR={nonStrict.Totals.VmExits.AvicIncompleteIpi.TargetNotRunning} foreign={nonStrict.Totals.Doorbells.SpuriousOnForeignTask} stolen={nonStrict.Totals.StolenNsOnForeignTasks}");
        Assert.That(strict.Totals.Doorbells.SpuriousOnForeignTask, Is.Zero);
        Assert.That(nonStrict.Totals.Doorbells.SpuriousOnForeignTask, Is.GreaterThan(0));
        Assert.That(nonStrict.Totals.StolenNsOnForeignTasks, Is.GreaterThan(0));
        Assert.That(strict.Totals.VmExits.AvicIncompleteIpi.TargetNotRunning, Is.GreaterThan(nonStrict.Totals.VmExits.AvicIncompleteIpi.TargetNotRunning));
        Assert.That(nonStrict.Totals.LostWakeups + strict.Totals.LostWakeups, Is.Zero);
    }

    [Test]
    public void PutOnlyWhenBlocking_StrictAndNonStrictGiveIdenticalTotals()
    {
        // Pinned 1:1, no host tasks, no userspace exits: a vCPU is only ever put on its way to sleep.
        var keys = Scenario.Defaults()
            .With("Vms:0:Workload:Kind", "Idle");
        var strict = AvicScenario.Run(keys.Strict(true));
        var nonStrict = AvicScenario.Run(keys.Strict(false));
        Assert.That(strict.Totals.VmExits.Hlt, Is.GreaterThan(10));
        Assert.That(strict.Totals.Wakeups, Is.GreaterThan(0));
        Assert.That(ResultJson.Serialize(nonStrict with { Config = strict.Config, InterruptVirtualization = "" }),
            Is.EqualTo(ResultJson.Serialize(strict with { InterruptVirtualization = "" })));
    }
}
