using Emu.Core.Results;

namespace Emu.Tests.Svm;

/// <summary>
/// AVIC on and AVIC off (every ICR write trapped and emulated by KVM) must deliver the same interrupts to the
/// same vCPUs; only times and exits differ. Each vCPU's sends are bounded (IpiLimit) and the run is long
/// enough for all of them to be taken.
/// </summary>
public class DifferentialTests
{
    private static IEnumerable<TestCaseData> Workloads()
    {
        yield return new TestCaseData("Mixed", "Pinned", "0", 6, 3).SetName("Mixed_Pinned");
        yield return new TestCaseData("IoHeavy", "RoundRobin", "1", 6, 3).SetName("IoHeavy_OvercommittedWithHostTasks");
        yield return new TestCaseData("Idle", "RoundRobin", "1", 6, 3).SetName("Idle_OvercommittedWithHostTasks");

        // Past xAPIC cluster mode's 60 addressable vCPUs: the rest are addressed physically.
        yield return new TestCaseData("Mixed", "Fair", "1", 64, 8).SetName("Mixed_64Vcpus_Overcommitted");
        yield return new TestCaseData("TlbShootdown", "RoundRobin", "0", 72, 16).SetName("TlbShootdown_72Vcpus_Overcommitted");
    }

    [TestCaseSource(nameof(Workloads))]
    public void AvicOnAndOff_DeliverTheSameInterruptsToTheSameVcpus(string workload, string policy, string hostTasks, int vcpus, int cores)
    {
        var keys = Scenario.Defaults()
            .With("Simulation:DurationUs", "60000")
            .With("Topology:CoresPerSocket", cores.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .With("Topology:ThreadsPerCore", "2")
            .With("Vms:0:Vcpus", vcpus.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .With("Vms:0:Workload:Kind", workload)
            .With("Scheduler:Policy", policy)
            .With("HostTasks:PerCpu", hostTasks);
        keys = workload == "TlbShootdown"
            ? keys.With("Vms:0:Workload:Rounds", "20")
            : keys.With("Vms:0:Workload:Multicast", "0.3").With("Vms:0:Workload:Broadcast", "0.1").With("Vms:0:Workload:IpiLimit", "40");
        var runs = new[]
        {
            AvicScenario.Run(keys.With("Svm:Avic", "false")),
            AvicScenario.Run(keys.With("Svm:AvicDoorbellStrict", "true")),
            AvicScenario.Run(keys.With("Svm:AvicDoorbellStrict", "false")),
            AvicScenario.Run(keys.With("Svm:EnableIpiv", "false")),
        };

        var reference = runs[0];
        Assert.That(reference.InterruptVirtualization, Is.EqualTo("emulated"));
        Assert.That(reference.Totals.IpisSent, Is.GreaterThan(100));
        foreach (var r in runs)
        {
            Assert.That(r.Totals.LostWakeups, Is.Zero, r.InterruptVirtualization);
            Assert.That(r.Totals.IpisDelivered, Is.EqualTo(r.Totals.IpisSent), $"{r.InterruptVirtualization}: every IPI was taken by the end");
            Assert.That(Received(r), Is.EqualTo(Received(reference)), $"{r.InterruptVirtualization} vs emulated");
            Assert.That(Sent(r), Is.EqualTo(Sent(reference)), $"{r.InterruptVirtualization} vs emulated");
        }

        Assert.That(runs[1].Totals.VmExits.IcrWrite, Is.Zero, "AVIC never traps ICR writes");
        Assert.That(runs[1].Totals.VmExits.Total, Is.LessThan(reference.Totals.VmExits.Total), "AVIC saves exits");
    }

    private static long[] Received(SimulationResult r) => r.Vms.SelectMany(v => v.Vcpus).Select(v => v.IpisReceived).ToArray();

    private static long[] Sent(SimulationResult r) => r.Vms.SelectMany(v => v.Vcpus).Select(v => v.IpisSent).ToArray();
}
