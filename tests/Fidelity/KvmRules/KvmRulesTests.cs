using Emu.Core.Model;

namespace Emu.Tests.Fidelity.KvmRules;

/// <summary>
/// KVM's rules for a guest's ICR write under AVIC, one test per rule with exact counts, each naming the hardware
/// step (APM 15.29, kvm-avic.md §2) or KVM function it follows. docs/fidelity.md has the same table.
/// </summary>
public class KvmRulesTests
{
    private const byte V = 0xE0;

    // --- targets in each state -------------------------------------------------------------------------------

    [TestCase(true)]
    [TestCase(false)]
    public void PhysicalUnicast_ToARunningTarget_IsADoorbell_NoExit(bool strict)
    {
        // Hardware: IsRunning = 1 -> doorbell to the host APIC ID; the target takes it in guest mode.
        var r = new Probe().Strict(strict).Write(20_000, Icr.Fixed(V, 1)).Run();
        Assert.That(r.Incomplete().TargetNotRunning, Is.Zero);
        Assert.That(r.Totals.Doorbells.ToRunningTarget, Is.EqualTo(1));
        Assert.That(r.Accepted(1), Is.EqualTo(1));
    }

    [TestCase(true)]
    [TestCase(false)]
    public void PhysicalUnicast_ToAHaltedTarget_ExitsTargetNotRunning_AndKvmWakesIt(bool strict)
    {
        // avic_vcpu_blocking cleared IsRunning in both modes; avic_kick_target_vcpus -> kvm_vcpu_wake_up.
        var r = new Probe().Strict(strict).Role(1, "Halt").Write(20_000, Icr.Fixed(V, 1)).Run();
        Assert.That(r.Incomplete().TargetNotRunning, Is.EqualTo(1));
        Assert.That(r.Totals.Doorbells.Sent, Is.Zero);
        Assert.That(r.Vms[0].Vcpus[1].Wakeups, Is.EqualTo(1));
        Assert.That(r.Accepted(1), Is.EqualTo(1));
    }

    [TestCase(true)]
    [TestCase(false)]
    public void ToAHaltPollingTarget_IsADoorbellToItsThreadInHostMode_AndThePollSucceeds(bool strict)
    {
        // kvm_vcpu_halt polls with IsRunning still 1: after the first halt (window 0: blocks, exit, wake-up) the
        // window grows to 10 us, and the next writes, 5 us apart, land while the target polls.
        var probe = new Probe().Strict(strict).Role(1, "Halt");
        for (int i = 0; i < 5; i++)
        {
            probe.Write(20_000 + (i * 5_000), Icr.Fixed(V, 1));
        }

        var r = probe.Run();
        var t = r.Vms[0].Vcpus[1];
        Assert.That(r.Incomplete().TargetNotRunning, Is.EqualTo(1), "only the first write finds it blocked");
        Assert.That(t.Wakeups, Is.EqualTo(1));
        Assert.That(r.Totals.Doorbells.ToTargetInHost, Is.EqualTo(4));
        Assert.That(t.HaltPolls.Successful, Is.EqualTo(4));
        Assert.That(r.Accepted(1), Is.EqualTo(5));
    }

    [Test]
    public void ToATargetInUserspace_Strict_ExitsWithoutADoorbell()
    {
        // A userspace exit is a put: strict clears IsRunning; KVM's kick finds it not in guest and not blocking.
        var r = new Probe().Strict(true).Role(1, "Userspace").Write(20_000, Icr.Fixed(V, 1)).Run();
        Assert.That(r.Incomplete().TargetNotRunning, Is.EqualTo(1));
        Assert.That(r.Totals.Doorbells.Sent, Is.Zero);
        Assert.That(r.Totals.Wakeups, Is.Zero);
    }

    [Test]
    public void ToATargetInUserspace_NonStrict_IsADoorbellToItsOwnThread_NoExit()
    {
        // The seed's non-strict put leaves IsRunning = 1: the doorbell interrupts the target's thread in the VMM.
        var r = new Probe().Strict(false).Role(1, "Userspace").Set("Simulation:DurationUs", "1500").Write(20_000, Icr.Fixed(V, 1)).Run();
        Assert.That(r.Incomplete().TargetNotRunning, Is.Zero);
        Assert.That(r.Totals.Doorbells.ToTargetInHost, Is.EqualTo(1));
        Assert.That(r.Accepted(1), Is.EqualTo(1), "taken when KVM_RUN enters the guest again");
        Assert.That(r.Vms[0].Vcpus[1].StolenNs, Is.EqualTo(1000), "Costs:SpuriousDoorbellNs, as anywhere in host mode");
    }

    /// <summary>vCPUs 1 and 2 share pCPU 1 (RoundRobin, 100 us slices): at 150 us vCPU 1 is preempted.</summary>
    private static Probe Preempted(bool strict) => new Probe(vcpus: 3, pcpus: 2)
        .Strict(strict)
        .Set("Scheduler:Policy", "RoundRobin")
        .Set("Scheduler:TimeSliceUs", "100")
        .Set("Vms:0:VcpuCpus:0:0", "0")
        .Set("Vms:0:VcpuCpus:1:0", "1")
        .Set("Vms:0:VcpuCpus:2:0", "1")
        .Write(150_000, Icr.Fixed(V, 1));

    [Test]
    public void ToAPreemptedTarget_Strict_ExitsTargetNotRunning_AndWaitsForItsVmrun()
    {
        var r = Preempted(strict: true).Run();
        Assert.That(r.Incomplete().TargetNotRunning, Is.EqualTo(1));
        Assert.That(r.Totals.Doorbells.Sent, Is.Zero);
        Assert.That(r.Totals.Wakeups, Is.Zero, "runnable, not blocked: nothing to wake");
        Assert.That(r.Accepted(1), Is.EqualTo(1), "taken at its next VMRUN");
    }

    [Test]
    public void ToAPreemptedTarget_NonStrict_RingsItsLastPcpu_WhereAnotherVcpuPaysForIt()
    {
        var r = Preempted(strict: false).Run();
        Assert.That(r.Incomplete().TargetNotRunning, Is.Zero);
        Assert.That(r.Totals.Doorbells.Spurious, Is.EqualTo(1));
        Assert.That(r.Totals.Doorbells.SpuriousOnForeignTask, Is.Zero, "the vCPU there is of the same VM");
        Assert.That(r.Vms[0].Vcpus[2].StolenNs, Is.EqualTo(1000));
        Assert.That(r.Accepted(1), Is.EqualTo(1));
    }

    // --- destinations ----------------------------------------------------------------------------------------

    [Test]
    public void PhysicalBroadcast_ReachesEveryValidEntry_WithOneExitIfAnyIsNotRunning()
    {
        // 0xFF is every Valid entry including the sender; the sender's own is running, vCPU 3 is halted. KVM's
        // handler (avic_kick_target_vcpus, slow path) then completes delivery to every target: the ones still in
        // guest mode get a second doorbell (svm_complete_interrupt_delivery -> avic_ring_doorbell), vCPU 3 a wake-up.
        var r = new Probe().Role(3, "Halt").Write(20_000, Icr.Fixed(V, Icr.PhysicalBroadcast)).Run();
        Assert.That(r.Incomplete().TargetNotRunning, Is.EqualTo(1), "one exit, after all IRRs are set");
        Assert.That(r.Totals.Doorbells.ToRunningTarget, Is.EqualTo(4), "vCPUs 1 and 2: by the hardware, then by KVM");
        Assert.That(r.Vms[0].Vcpus.Select(v => v.InterruptsAccepted), Is.EqualTo(new long[] { 1, 1, 1, 1 }));
        Assert.That(r.Totals.Wakeups, Is.EqualTo(1));
    }

    [TestCase(DestinationShorthand.AllExcludingSelf, new long[] { 0, 1, 1, 1 })]
    [TestCase(DestinationShorthand.AllIncludingSelf, new long[] { 1, 1, 1, 1 })]
    public void Shorthands_ToRunningTargets_AreDoorbells_NoExit(DestinationShorthand shorthand, long[] accepted)
    {
        var r = new Probe().Write(20_000, Icr.WithShorthand(V, shorthand)).Run();
        Assert.That(r.Incomplete().TargetNotRunning, Is.Zero);
        Assert.That(r.Totals.Doorbells.ToRunningTarget, Is.EqualTo(3));
        Assert.That(r.Vms[0].Vcpus.Select(v => v.InterruptsAccepted), Is.EqualTo(accepted));
    }

    [Test]
    public void SelfShorthand_NeverExits_EvenWithIpiVirtualizationOff()
    {
        // The CPU skips the physical table for Self (kvm-avic.md §2).
        var r = new Probe().Set("Svm:EnableIpiv", "false").Write(20_000, Icr.WithShorthand(V, DestinationShorthand.Self)).Run();
        Assert.That(r.Totals.VmExits.AvicIncompleteIpi.TargetNotRunning, Is.Zero);
        Assert.That(r.Accepted(0), Is.EqualTo(1));
    }

    [TestCase(true, 0)]
    [TestCase(false, 1)]
    public void PhysicalIpiToOneself_ExitsOnlyWithIpiVirtualizationOff(bool ipiv, long exits)
    {
        // By its own id the write reads the sender's own entry, which never says running without enable_ipiv.
        var r = new Probe().Set("Svm:EnableIpiv", ipiv ? "true" : "false").Write(20_000, Icr.Fixed(V, 0)).Run();
        Assert.That(r.Incomplete().TargetNotRunning, Is.EqualTo(exits));
        Assert.That(r.Accepted(0), Is.EqualTo(1));
    }

    [Test]
    public void LogicalFlat_ReachesEachDestinationBit()
    {
        // Flat mode (8 vCPUs or fewer): logical id = 1 << index; bits 1 and 2 name vCPUs 1 and 2.
        var r = new Probe().Write(20_000, Icr.Fixed(V, 0b0110, logical: true)).Run();
        Assert.That(r.Incomplete().TargetNotRunning, Is.Zero);
        Assert.That(r.Totals.Doorbells.ToRunningTarget, Is.EqualTo(2));
        Assert.That(r.Vms[0].Vcpus.Select(v => v.InterruptsAccepted), Is.EqualTo(new long[] { 0, 1, 1, 0 }));
    }

    [Test]
    public void LogicalCluster_ReachesTheBitsOfOneCluster()
    {
        // Cluster mode (more than 8 vCPUs): cluster 1, bits 0 and 3 = vCPUs 4 and 7.
        var r = new Probe(vcpus: 12, pcpus: 12).Write(20_000, Icr.Fixed(V, 0x19, logical: true)).Run();
        Assert.That(r.Incomplete().TargetNotRunning, Is.Zero);
        Assert.That(r.Totals.Doorbells.ToRunningTarget, Is.EqualTo(2));
        Assert.That(r.Accepted(4) + r.Accepted(7), Is.EqualTo(2));
        Assert.That(r.Vms[0].Vcpus.Sum(v => v.InterruptsAccepted), Is.EqualTo(2));
    }

    [TestCase("Current", 1)]
    [TestCase("Seed2022", 0)]
    public void InvalidTarget_ExitsBeforeWritingAnything_AndKvmEmulatesIt_TodayOnly(string profile, long delivered)
    {
        // A logical mask naming a missing entry (bit 5: no vCPU 5) fails the whole write; avic_incomplete_ipi_interception
        // emulates it today (kvm_apic_send_ipi: vCPU 1 gets it) and ignored it in the 2022 tree.
        var r = new Probe().Set("Kvm:Profile", profile).Write(20_000, Icr.Fixed(V, 0b100010, logical: true)).Run();
        Assert.That(r.Incomplete().InvalidTarget, Is.EqualTo(1));
        Assert.That(r.Accepted(1), Is.EqualTo(delivered));
    }

    // --- vectors and delivery modes -----------------------------------------------------------------------------

    [Test]
    public void FixedVectorBelow16_ExitsInvalidIpiVector_AndIsDropped()
    {
        var r = new Probe().Write(20_000, Icr.Fixed(15, 1)).Run();
        Assert.That(r.Incomplete().InvalidIpiVector, Is.EqualTo(1));
        Assert.That(r.Accepted(1), Is.Zero);
    }

    [Test]
    public void LevelTriggeredFixed_ExitsInvalidIntType_AndKvmDeliversTheVector()
    {
        var r = new Probe().Write(20_000, Icr.Fixed(V, 1).WithLevelTrigger()).Run();
        Assert.That(r.Incomplete().InvalidIntType, Is.EqualTo(1));
        Assert.That(r.Accepted(1), Is.EqualTo(1));
    }

    [Test]
    public void LowestPriority_ExitsInvalidIntType_AndReachesOneTarget_ByVectorHashing()
    {
        // kvm_vector_to_index: vector 0xE0 = 224; 224 mod 3 candidates (vCPUs 1, 2, 3) = 2 -> the third, vCPU 3.
        var r = new Probe().Write(20_000, Icr.Fixed(V, 0b1110, logical: true).WithDeliveryMode(DeliveryMode.LowestPriority)).Run();
        Assert.That(r.Incomplete().InvalidIntType, Is.EqualTo(1));
        Assert.That(r.Vms[0].Vcpus.Select(v => v.InterruptsAccepted), Is.EqualTo(new long[] { 0, 0, 0, 1 }));
    }

    [Test]
    public void Nmi_ExitsInvalidIntType_AndIsTakenAsAnNmi_NotAVector()
    {
        // Vector field 0: the type is checked first. kvm_inject_nmi + kvm_vcpu_kick.
        var r = new Probe().Write(20_000, Icr.Fixed(0, 1).WithDeliveryMode(DeliveryMode.Nmi)).Run();
        Assert.That(r.Incomplete().InvalidIntType, Is.EqualTo(1));
        Assert.That(r.Incomplete().InvalidIpiVector, Is.Zero);
        Assert.That(r.Totals.Signals.NmisTaken, Is.EqualTo(1));
        Assert.That(r.Accepted(1), Is.Zero, "no IRR bit");
        Assert.That(r.Totals.Kicks, Is.EqualTo(1), "the running target is kicked out to take it");
    }

    [Test]
    public void Nmi_WakesAHaltedTarget()
    {
        var r = new Probe().Role(1, "Halt").Write(20_000, Icr.Fixed(0, 1).WithDeliveryMode(DeliveryMode.Nmi)).Run();
        Assert.That(r.Totals.Signals.NmisTaken, Is.EqualTo(1));
        Assert.That(r.Vms[0].Vcpus[1].Wakeups, Is.EqualTo(1));
    }

    [Test]
    public void InitThenSipi_StopAnApplicationProcessor_UntilTheSipi()
    {
        // kvm_apic_accept_events: INIT resets the AP to INIT_RECEIVED (blocked, IsRunning = 0); a fixed IPI meanwhile
        // does not run it; the SIPI does.
        var r = new Probe()
            .Write(20_000, Icr.Fixed(0, 1).WithDeliveryMode(DeliveryMode.Init))
            .Write(50_000, Icr.Fixed(V, 1))
            .Write(80_000, Icr.Fixed(0x10, 1).WithDeliveryMode(DeliveryMode.StartUp))
            .Run();
        Assert.That(r.Incomplete().InvalidIntType, Is.EqualTo(2), "INIT and SIPI are emulated");
        Assert.That(r.Incomplete().TargetNotRunning, Is.EqualTo(1), "the fixed IPI finds it not running");
        Assert.That(r.Totals.Signals.Inits, Is.EqualTo(1));
        Assert.That(r.Totals.Signals.Sipis, Is.EqualTo(1));
        Assert.That(r.Accepted(1), Is.EqualTo(1), "the fixed IPI waited in the IRR and is taken once the SIPI started it");
        Assert.That(r.Totals.LostWakeups, Is.Zero, "waiting for SIPI is not a lost wake-up");
        Assert.That(r.Vms[0].Vcpus[1].GuestNs, Is.LessThan(r.SimulatedNs - 50_000), "stopped from the INIT to the SIPI");
    }

    [Test]
    public void SipiWithoutInit_IsDropped()
    {
        var r = new Probe().Write(20_000, Icr.Fixed(0x10, 1).WithDeliveryMode(DeliveryMode.StartUp)).Run();
        Assert.That(r.Incomplete().InvalidIntType, Is.EqualTo(1));
        Assert.That(r.Totals.Signals.Sipis, Is.Zero);
    }
}
