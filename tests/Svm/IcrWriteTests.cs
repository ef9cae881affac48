using Emu.Core.Building;
using Emu.Core.Contracts;
using Emu.Core.Model;
using Emu.Plugins.Svm;

namespace Emu.Tests.Svm;

/// <summary>The hardware's ICR write path with crafted writes, on a real machine whose vCPUs all run in guest mode.</summary>
public class IcrWriteTests
{
    private Simulation _sim = null!;
    private IInterruptVirtualization _avic = null!;
    private IMachineView _m = null!;

    /// <summary>Builds a VM of <paramref name="vcpus"/> pinned vCPUs that only compute, and runs until all are in guest mode.</summary>
    private void Start(int vcpus, bool ipiv = true)
    {
        var keys = Scenario.Defaults()
            .With("Topology:CoresPerSocket", "8")
            .With("Topology:ThreadsPerCore", "2")
            .With("Vms:0:Vcpus", vcpus.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .With("Vms:0:Workload:Ipi", "0")
            .With("Vms:0:Workload:ComputeNs", "1000000000")
            .With("Svm:EnableIpiv", ipiv ? "true" : "false");
        _sim = Scenario.Builder(keys, new SvmPlugin()).Build();
        _m = _sim.Machine;
        _avic = _sim.Internals.InterruptVirtualization;
        _sim.RunUntil(50_000);
        for (int v = 0; v < vcpus; v++)
        {
            Assert.That(_m.StateOf(v), Is.EqualTo(VcpuState.InGuest), $"vCPU {v} should be in guest mode");
        }
    }

    [TearDown]
    public void TearDown() => _sim?.Dispose();

    [Test]
    public void VectorBelow16_ExitsWithInvalidIpiVector_AndSetsNothing()
    {
        Start(2);
        var outcome = _avic.WriteIcr(0, Icr.Fixed(15, 1));
        Assert.That(outcome.Exit, Is.EqualTo(IcrExitKind.AvicIncompleteIpi));
        Assert.That(outcome.ExitCode, Is.EqualTo(0x401UL));
        Assert.That(outcome.Cause, Is.EqualTo(IncompleteIpiCause.InvalidIpiVector));
        Assert.That(_m.Irr(1).IsEmpty, Is.True);
    }

    [TestCase(DeliveryMode.LowestPriority, false)]
    [TestCase(DeliveryMode.Fixed, true)]
    public void NonFixedOrLevel_ExitsWithInvalidIntType_AndKvmEmulatesIt(DeliveryMode mode, bool level)
    {
        Start(2);
        var icr = Icr.Fixed(0x40, 1).WithDeliveryMode(mode);
        if (level)
        {
            icr = icr.WithLevelTrigger();
        }

        var outcome = _avic.WriteIcr(0, icr);
        Assert.That(outcome.Cause, Is.EqualTo(IncompleteIpiCause.InvalidIntType));
        Assert.That(outcome.ExitInfo1, Is.EqualTo(icr.Value), "exit info 1 carries the ICR (low | high << 32)");
        Assert.That(_m.Irr(1).IsEmpty, Is.True, "the hardware writes nothing");
        _avic.HandleExit(0, in outcome);
        Assert.That(_sim.Internals.Counters.IpisDelivered + (_m.Irr(1).IsSet(0x40) ? 1 : 0), Is.EqualTo(1), "KVM emulates the write: the target gets the vector");
    }

    [Test]
    public void Nmi_ExitsWithInvalidIntType_AndKvmMakesItPending_NotAnIrrBit()
    {
        Start(2);
        var icr = Icr.Fixed(0, 1).WithDeliveryMode(DeliveryMode.Nmi); // an NMI's vector field is 0: checked after the type
        var outcome = _avic.WriteIcr(0, icr);
        Assert.That(outcome.Cause, Is.EqualTo(IncompleteIpiCause.InvalidIntType));
        _avic.HandleExit(0, in outcome);
        Assert.That(_m.Irr(1).IsEmpty, Is.True, "an NMI is not an IRR bit");
        Assert.That(_m.StateOf(1), Is.EqualTo(VcpuState.InHostKernel), "kvm_vcpu_kick: the target leaves guest mode");
        _sim.RunUntil(_sim.Now + 10_000);
        Assert.That(_sim.Internals.Counters.NmisTaken, Is.EqualTo(1), "taken at the next VMRUN");
    }

    [Test]
    public void SelfShorthand_NeverExits_EvenWithoutIpiVirtualization()
    {
        Start(2, ipiv: false);
        long before = _sim.Internals.Counters.InterruptsAccepted;
        var outcome = _avic.WriteIcr(1, Icr.WithShorthand(0x50, DestinationShorthand.Self));
        Assert.That(outcome.Exits, Is.False);
        Assert.That(_sim.Internals.Counters.InterruptsAccepted, Is.EqualTo(before + 1), "the sender takes its own interrupt at once");
    }

    [Test]
    public void PhysicalToRunningTarget_SetsIrrAndRingsDoorbell_NoExit()
    {
        Start(4);
        var outcome = _avic.WriteIcr(0, Icr.Fixed(0x41, 3));
        Assert.That(outcome.Exits, Is.False);
        Assert.That(_sim.Internals.Counters.DoorbellsSent, Is.EqualTo(1));
        Assert.That(_m.Irr(3).IsSet(0x41), Is.True, "IRR set; the doorbell arrives after DoorbellNs");
        _sim.RunUntil(_m.Now + 1000);
        Assert.That(_m.Irr(3).IsEmpty, Is.True, "the doorbell made the running target take it");
        Assert.That(_sim.Internals.Counters.DoorbellsToRunningTarget, Is.EqualTo(1));
    }

    [Test]
    public void PhysicalToMissingApicId_ExitsWithInvalidTarget_WritesNothing()
    {
        Start(4);
        var outcome = _avic.WriteIcr(0, Icr.Fixed(0x41, 9));
        Assert.That(outcome.Cause, Is.EqualTo(IncompleteIpiCause.InvalidTarget));
        Assert.That(outcome.Index, Is.EqualTo(9));
        for (int v = 0; v < 4; v++)
        {
            Assert.That(_m.Irr(v).IsEmpty, Is.True);
        }
    }

    [Test]
    public void FlatLogicalSupersetOfVcpus_ExitsWithInvalidTarget_ThenKvmDeliversToTheRealOnes()
    {
        Start(4); // flat mode: logical ids 0x1, 0x2, 0x4, 0x8
        var icr = Icr.Fixed(0x42, 0x36, logical: true); // vCPUs 1, 2 plus bits 4 and 5 that nobody owns
        var outcome = _avic.WriteIcr(0, icr);
        Assert.That(outcome.Cause, Is.EqualTo(IncompleteIpiCause.InvalidTarget));
        Assert.That(_m.Irr(1).IsEmpty && _m.Irr(2).IsEmpty, Is.True);
        _avic.HandleExit(0, in outcome);
        Assert.That(_m.Irr(1).IsSet(0x42) || _sim.Internals.Counters.Vcpus[1].IpisReceived == 1, Is.True);
        Assert.That(_m.Irr(2).IsSet(0x42) || _sim.Internals.Counters.Vcpus[2].IpisReceived == 1, Is.True);
        Assert.That(_sim.Internals.Counters.Vcpus[3].IpisReceived + (_m.Irr(3).IsEmpty ? 0 : 1), Is.Zero);
    }

    [Test]
    public void FlatLogical_ReachesExactlyTheNamedVcpus()
    {
        Start(8);
        var outcome = _avic.WriteIcr(0, Icr.Fixed(0x43, 0b1010_0110, logical: true)); // vCPUs 1, 2, 5, 7
        Assert.That(outcome.Exits, Is.False);
        Assert.That(Pending(8, 0x43), Is.EqualTo(new[] { 1, 2, 5, 7 }));
    }

    [Test]
    public void ClusterLogical_ReachesTheNamedMembersOfOneCluster()
    {
        Start(12); // more than 8: cluster mode, cluster c holds vCPUs 4c..4c+3
        var outcome = _avic.WriteIcr(0, Icr.Fixed(0x44, 0x2B, logical: true)); // cluster 2, members 0, 1, 3
        Assert.That(outcome.Exits, Is.False);
        Assert.That(Pending(12, 0x44), Is.EqualTo(new[] { 8, 9, 11 }));
    }

    [Test]
    public void BroadcastShorthands_AndPhysical0xFF_ReachEveryValidEntry()
    {
        Start(4);
        Assert.That(_avic.WriteIcr(1, Icr.WithShorthand(0x45, DestinationShorthand.AllExcludingSelf)).Exits, Is.False);
        Assert.That(Pending(4, 0x45), Is.EqualTo(new[] { 0, 2, 3 }));
        Assert.That(_avic.WriteIcr(1, Icr.Fixed(0x46, 0xFF)).Exits, Is.False);
        Assert.That(Pending(4, 0x46), Is.EqualTo(new[] { 0, 2, 3 }), "vCPU 1 itself takes 0x46 at once");
    }

    [Test]
    public void WithoutIpiVirtualization_EveryIpiToAnotherVcpuExitsTargetNotRunning()
    {
        Start(2, ipiv: false);
        var outcome = _avic.WriteIcr(0, Icr.Fixed(0x47, 1));
        Assert.That(outcome.Cause, Is.EqualTo(IncompleteIpiCause.TargetNotRunning));
        Assert.That(_m.Irr(1).IsSet(0x47), Is.True, "the IRR is already set when the sender exits");
        Assert.That(_sim.Internals.Counters.DoorbellsSent, Is.Zero);
    }

    private int[] Pending(int vcpus, byte vector)
    {
        var list = new List<int>();
        for (int v = 0; v < vcpus; v++)
        {
            if (_m.Irr(v).IsSet(vector))
            {
                list.Add(v);
            }
        }

        return list.ToArray();
    }

    [Test]
    public void TargetWithoutBackingPage_ExitsWithInvalidBackingPage_AndSetsNothing()
    {
        Start(3);
        var ctx = ((AvicInterruptController)_avic).Context;
        var table = ctx.Physical[0];
        table[2] = table[2].WithBackingPage(0);
        var outcome = _avic.WriteIcr(0, Icr.Fixed(0x40, 2));
        Assert.That(outcome.Cause, Is.EqualTo(IncompleteIpiCause.InvalidBackingPage));
        Assert.That(outcome.ExitInfo2 & 0xFF, Is.EqualTo(2UL), "the index of the bad entry");
        Assert.That(outcome.ExitInfo2 >> 32, Is.EqualTo((ulong)IncompleteIpiCause.InvalidBackingPage));
        Assert.That(_m.Irr(2).IsEmpty, Is.True);

        // A broadcast fails the same way before writing anything.
        var broadcast = _avic.WriteIcr(0, Icr.WithShorthand(0x41, DestinationShorthand.AllExcludingSelf));
        Assert.That(broadcast.Cause, Is.EqualTo(IncompleteIpiCause.InvalidBackingPage));
        Assert.That(_m.Irr(1).IsEmpty, Is.True);
    }

    [Test]
    public void TheWrittenIcr_LandsInTheSendersBackingPage()
    {
        Start(2);
        var ctx = ((AvicInterruptController)_avic).Context;
        var icr = Icr.Fixed(0x40, 1);
        _avic.WriteIcr(0, icr);
        Assert.That(ctx.Pages[0].Icr, Is.EqualTo(icr));
        Assert.That(ctx.Pages[1].Icr.Value, Is.EqualTo(0UL));
        Assert.That(ctx.Physical[0][0].BackingPage, Is.EqualTo(ctx.Pages[0].Address));
        Assert.That(ctx.Pages[1].Dump(_m, 1), Does.Contain("IRR[0x200] 00000000 00000000 00000000 00000000 00000000 00000001 00000000 00000000"),
            "vector 0x40 is bit 0 of IRR register 2 (highest register printed first)");
    }
}
