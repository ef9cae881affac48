using Emu.Core.Model;
using Emu.Plugins.Svm;
using Emu.Tests.Fidelity.KvmRules;

namespace Emu.Tests.Fidelity;

/// <summary>
/// Idling as 1:1-pinned setups do it: HLT exits disabled (KVM_X86_DISABLE_EXITS_HLT) and the guest's own
/// cpuidle-haltpoll, which also turns KVM's halt-polling off for the vCPU (kvm_arch_no_poll).
/// </summary>
public class GuestIdlingTests
{
    [TestCase(true)]
    [TestCase(false)]
    public void HltExitsDisabled_HaltStaysInGuestMode_AndAnIpiIsADoorbell(bool strict)
    {
        var r = new Probe().Strict(strict).Set("Vms:0:HltExits", "false").Role(1, "Halt")
            .Write(20_000, Icr.Fixed(0xE0, 1))
            .Write(60_000, Icr.Fixed(0xE0, 1))
            .Run();
        var t = r.Vms[0].Vcpus[1];
        Assert.That(r.Totals.VmExits.Hlt, Is.Zero, "no HLT exit");
        Assert.That(r.Incomplete().TargetNotRunning, Is.Zero, "the halted vCPU keeps IsRunning = 1");
        Assert.That(r.Totals.Doorbells.ToRunningTarget, Is.EqualTo(2));
        Assert.That(r.Totals.Wakeups, Is.Zero);
        Assert.That(t.InterruptsAccepted, Is.EqualTo(2));
        Assert.That(t.GuestNs, Is.EqualTo(r.SimulatedNs - 1500), "it holds its pCPU in guest mode from its first switch-in (1.5 us) on");
        Assert.That(r.Pcpus[1].IdleNs, Is.Zero, "the pCPU never idles");
    }

    [Test]
    public void GuestHaltPoll_CatchesAnIpiInGuestMode_AndKvmDoesNotPoll()
    {
        // vCPU 1 halts; its guest polls 30 us first: the write at 20 us arrives while it spins in guest mode.
        var r = new Probe().Set("Vms:0:GuestHaltPollNs", "30000").Role(1, "Halt")
            .Write(20_000, Icr.Fixed(0xE0, 1))
            .Run();
        var t = r.Vms[0].Vcpus[1];
        Assert.That(t.InterruptsAccepted, Is.EqualTo(1));
        Assert.That(r.Incomplete().TargetNotRunning, Is.Zero, "caught in guest mode");
        Assert.That(r.Totals.Doorbells.ToRunningTarget, Is.EqualTo(1));
        Assert.That(t.HaltPolls.Attempted, Is.Zero, "MSR_KVM_POLL_CONTROL: KVM does not poll for this vCPU");
        Assert.That(t.HltExits, Is.GreaterThanOrEqualTo(1), "after the guest's poll window it executes HLT and exits");
    }

    [Test]
    public void GuestHaltPoll_ThatExpires_ExitsAndBlocks_AndTheIpiWakesIt()
    {
        var r = new Probe().Set("Vms:0:GuestHaltPollNs", "5000").Role(1, "Halt")
            .Write(50_000, Icr.Fixed(0xE0, 1))
            .Run();
        Assert.That(r.Incomplete().TargetNotRunning, Is.EqualTo(1));
        Assert.That(r.Vms[0].Vcpus[1].Wakeups, Is.EqualTo(1));
        Assert.That(r.Accepted(1), Is.EqualTo(1));
        Assert.That(r.Totals.LostWakeups, Is.Zero);
    }
}
