using Emu.Plugins.Svm;

namespace Emu.Tests.Fidelity;

/// <summary>
/// The seed's own case, with invariant checks on: non-strict, over-committed, vCPUs preempted in userspace that
/// resume on another pCPU without a load. The entry rightly keeps the pCPU of the last load; no false stop.
/// </summary>
public class NonStrictMigrationTests
{
    [Test]
    public void PreemptedInUserspace_AndMigrated_KeepsTheLastLoadsPcpu_WithChecksOn(
        [Values("Random", "RoundRobin")] string policy, [Values(1, 2, 3, 4, 5)] int seed)
    {
        var keys = Scenario.Defaults()
            .With("Simulation:Seed", seed.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .With("Simulation:DurationUs", "20000")
            .With("Simulation:CheckInvariants", "true")
            .With("Topology:CoresPerSocket", "2")
            .With("Topology:ThreadsPerCore", "1")
            .With("Vms:0:Vcpus", "3")
            .With("Vms:0:Workload:Kind", "Mixed")
            .With("Vms:0:Workload:Halt", "0.2")
            .With("Vms:0:Workload:UserspaceExit", "0.4")
            .With("Scheduler:Policy", policy)
            .With("Scheduler:TimeSliceUs", "200")
            .With("Svm:AvicDoorbellStrict", "false");
        var r = Scenario.Run(keys, new SvmPlugin());
        Assert.That(r.Completed, Is.True, r.Failure);
        Assert.That(r.Tasks.Take(3).Sum(t => t.Migrations), Is.GreaterThan(0), "the vCPUs do migrate");
        Assert.That(r.Totals.LostWakeups, Is.Zero);
    }
}
