using Emu.Core.Configuration;
using Emu.Core.Machine;
using Emu.Core.Model;
using Emu.Plugins.Svm;

namespace Emu.Tests.Fidelity;

/// <summary>
/// KVM's adaptive halt-polling (kvm_vcpu_halt, grow/shrink_halt_poll_ns, kvm_vcpu_can_poll in virt/kvm/kvm_main.c):
/// the window per vCPU, no polling while another task is runnable on the pCPU, and the exit still paid.
/// </summary>
public class HaltPollingTests
{
    private static HaltPollWindow Window(KvmProfile profile = KvmProfile.Current, int? shrink = null) =>
        new(new KvmOptions { Profile = profile, HaltPollNsShrink = shrink });

    private static VcpuRuntime Vcpu() => new(VcpuInfo.ForGuest(0, 0, 0, 1, 0), 0, 1, new Emu.Core.Results.VcpuCounters());

    [Test]
    public void Window_StartsAtZero_GrowsFromGrowStartByTwo_AndIsCappedAtTheMaximum()
    {
        var w = Window();
        var v = Vcpu();
        Assert.That(w.Start(v), Is.Zero, "the first halt never polls");
        var seen = new List<long>();
        for (int i = 0; i < 7; i++)
        {
            w.Update(v, 199_000); // a short halt (below the 200 µs maximum), longer than the window
            seen.Add(w.Start(v));
        }

        Assert.That(seen, Is.EqualTo(new long[] { 10_000, 20_000, 40_000, 80_000, 160_000, 200_000, 200_000 }),
            "grow_halt_poll_ns: 0 -> grow_start, then x2; kvm_vcpu_halt caps it at halt_poll_ns");
    }

    [Test]
    public void Window_IsKept_WhenTheWakeupCameWithinIt()
    {
        var w = Window();
        var v = Vcpu();
        v.HaltPollWindowNs = 40_000;
        w.Update(v, 39_000);
        Assert.That(v.HaltPollWindowNs, Is.EqualTo(40_000));
    }

    [TestCase(KvmProfile.Current, 80_000, 40_000)]
    [TestCase(KvmProfile.Current, 15_000, 0)]
    [TestCase(KvmProfile.Seed2022, 80_000, 0)]
    public void Window_Shrinks_AfterAHaltLongerThanTheMaximum(KvmProfile profile, long before, long after)
    {
        var w = Window(profile);
        var v = Vcpu();
        v.HaltPollWindowNs = before;
        w.Update(v, 5_000_000);
        Assert.That(v.HaltPollWindowNs, Is.EqualTo(after), "today halves (and drops below grow_start to 0); the 2022 tree resets");
    }

    private static Dictionary<string, string?> PingPongHalt() => Scenario.Defaults()
        .With("Topology:CoresPerSocket", "2")
        .With("Topology:ThreadsPerCore", "1")
        .With("Vms:0:Vcpus", "2")
        .With("Vms:0:Workload:Kind", "PingPong")
        .With("Vms:0:Workload:Wait", "Halt")
        .With("Vms:0:Workload:ComputeNs", "5000");

    [Test]
    public void ShortHalts_GrowTheWindow_SoLaterHaltsPollAndSucceed()
    {
        var r = AvicScenarioRun(PingPongHalt());
        var v = r.Vms[0].Vcpus[1];
        Assert.That(r.Totals.LostWakeups, Is.Zero);
        Assert.That(v.HltExits, Is.GreaterThan(100));
        Assert.That(v.HaltPolls.Attempted, Is.LessThan(v.HltExits), "the first halts do not poll: the window starts at 0");
        Assert.That(v.HaltPolls.Successful, Is.GreaterThan(v.HltExits / 2), "once grown, the window catches the peer's IPI");
        Assert.That(v.HaltPolls.PollNs, Is.GreaterThan(0));
        Assert.That(v.Wakeups, Is.GreaterThan(0), "at least the first halts block and are woken");
    }

    [Test]
    public void NoPolling_WhileAnotherTaskIsRunnableOnThePcpu()
    {
        // One pCPU: the vCPU and an always-runnable host task. kvm_vcpu_can_poll is false every time.
        var keys = PingPongHalt()
            .With("Topology:CoresPerSocket", "1")
            .With("Scheduler:Policy", "RoundRobin")
            .With("HostTasks:PerCpu", "1")
            .With("HostTasks:RunUs", "1000000")
            .With("HostTasks:SleepUs", "0");
        var r = AvicScenarioRun(keys);
        Assert.That(r.Totals.VmExits.Hlt, Is.GreaterThan(10));
        Assert.That(r.Totals.HaltPolls.Successful, Is.Zero, "KVM never polls with another task runnable on the CPU");
        Assert.That(r.Totals.HaltPolls.PollNs, Is.Zero);
        Assert.That(r.Totals.LostWakeups, Is.Zero);
    }

    [Test]
    public void XapicIpiTest_FirstHaltNeverPolls_SoThereIsAnExitAndAWakeup()
    {
        var keys = Scenario.Defaults()
            .With("Topology:CoresPerSocket", "2")
            .With("Topology:ThreadsPerCore", "1")
            .With("Vms:0:Vcpus", "2")
            .With("Vms:0:Workload:Kind", "XapicIpiTest")
            .With("Vms:0:Workload:Rounds", "1")
            .With("Simulation:DurationUs", "200");
        var r = AvicScenarioRun(keys);
        var halter = r.Vms[0].Vcpus[0];
        Assert.That(halter.HltExits, Is.GreaterThanOrEqualTo(1));
        Assert.That(halter.Wakeups, Is.GreaterThanOrEqualTo(1), "the first halt blocks; the IPI must wake it");
        Assert.That(halter.HaltPolls.Successful, Is.Zero);
    }

    [Test]
    public void PolledHalt_StillPaysTheExit()
    {
        // With polling off, each HLT still costs the round trip: the halter's host time covers every exit.
        var keys = PingPongHalt().With("Kvm:HaltPollNs", "0");
        var r = AvicScenarioRun(keys);
        var v = r.Vms[0].Vcpus[1];
        Assert.That(v.HaltPolls.Attempted, Is.Zero);
        Assert.That(v.HostNs, Is.GreaterThanOrEqualTo(v.HltExits * 450L), "every HLT exit costs Costs:VmExitNs in the host");
    }

    private static Emu.Core.Results.SimulationResult AvicScenarioRun(Dictionary<string, string?> keys) => Scenario.Run(keys, new SvmPlugin());
}
