using Emu.Tests.Fidelity.KvmRules;

namespace Emu.Tests.Devices;

/// <summary>
/// The IOMMU's posting through an IRTE that KVM keeps in step with load, put and blocking (kvm-avic.md §1.7, §3.4;
/// avic_update_iommu_vcpu_affinity, __amd_iommu_update_ga, avic_ga_log_notifier), one target state at a time.
/// </summary>
public class PostedInterruptRuleTests
{
    private const int Vector = 0x40;

    // One interrupt every 40 us to vCPU 1 for 300 us: at 40, 80, ..., 280 us.
    private const int Sent = 7;

    [TestCase(true)]
    [TestCase(false)]
    public void ToAVcpuInGuestMode_IsADoorbell_AndNoExit(bool strict)
    {
        var r = new Probe(vcpus: 2, pcpus: 2).Strict(strict).Role(1, "Compute").Device(40_000, Vector, vcpu: 1).Run();
        var d = r.Totals.DeviceInterrupts;
        Assert.That(d.Sent, Is.EqualTo(Sent));
        Assert.That(d.Posted, Is.EqualTo(Sent));
        Assert.That(d.Doorbells, Is.EqualTo(Sent), "IRTE IsRun = 1: a doorbell to the destination");
        Assert.That(d.ToRunningTarget, Is.EqualTo(Sent), "taken in guest mode");
        Assert.That(d.Accepted, Is.EqualTo(Sent));
        Assert.That(d.GaLogEntries + d.Remapped + d.Wakeups, Is.Zero);
        Assert.That(r.Totals.VmExits.ExternalInterrupt, Is.Zero, "no exit for a posted interrupt");
        Assert.That(d.LatencyNs.Max, Is.EqualTo(100), "the doorbell's flight (Costs:DoorbellNs) and nothing else");
        DeviceScenario.AssertNoneLost(r);
    }

    [TestCase(true)]
    [TestCase(false)]
    public void ToABlockedVcpu_IsAGaLogInterrupt_AndAWakeUp_InBothModes(bool strict)
    {
        // KVM's halt-polling off: a polling vCPU keeps IsRun = 1 and takes the doorbell in host mode instead.
        var r = new Probe(vcpus: 2, pcpus: 2).Strict(strict).Set("Kvm:HaltPollNs", "0").Role(1, "Halt").Device(40_000, Vector, vcpu: 1).Run();
        var d = r.Totals.DeviceInterrupts;
        Assert.That(d.Sent, Is.EqualTo(Sent));
        Assert.That(d.Doorbells, Is.Zero, "blocking cleared IsRun in both modes");
        Assert.That(d.GaLogEntries, Is.EqualTo(Sent), "blocking set GALogIntr: each interrupt is logged");
        Assert.That(d.GaLogInterrupts, Is.EqualTo(Sent), "each entry raised its own GA-log interrupt (none was pending)");
        Assert.That(d.Wakeups, Is.EqualTo(Sent), "avic_ga_log_notifier woke the vCPU each time");
        Assert.That(d.Accepted, Is.EqualTo(Sent));
        Assert.That(r.Vms[0].Vcpus[1].Wakeups, Is.EqualTo(Sent));
        DeviceScenario.AssertNoneLost(r);
    }

    [Test]
    public void ToAHaltPollingVcpu_IsADoorbellToItsThreadInHostMode()
    {
        // The window grows after each halt (10, 20, 40 us ...): once it covers the gap, the interrupt ends a poll.
        var r = new Probe(vcpus: 2, pcpus: 2).Role(1, "Halt").Device(40_000, Vector, vcpu: 1).Run();
        var d = r.Totals.DeviceInterrupts;
        Assert.That(d.ToTargetInHost, Is.GreaterThan(0), "IsRun stays 1 while KVM polls");
        Assert.That(d.ToTargetInHost + d.GaLogEntries, Is.EqualTo(Sent), "polled or blocked, each exactly one way");
        Assert.That(r.Vms[0].Vcpus[1].HaltPolls.Successful, Is.EqualTo(d.ToTargetInHost));
        DeviceScenario.AssertNoneLost(r);
    }

    [TestCase(true, 0)]
    [TestCase(false, 0)]
    [TestCase(true, 1)]
    [TestCase(false, 1)]
    public void ToAVcpuInUserspace_StrictLogsNothing_NonStrictRingsItsOwnThread(bool strict, int profile)
    {
        // vCPU 1 lives in userspace (a put): strict clears IsRun; the current kernel leaves GALogIntr = 0 (not blocking),
        // the 2022 one keeps it 1 and logs. Non-strict leaves the IRTE running: the doorbell finds the vCPU's own thread.
        var r = new Probe(vcpus: 2, pcpus: 2).Strict(strict).Set("Kvm:Profile", profile == 0 ? "Current" : "Seed2022")
            .Role(1, "Userspace").Device(40_000, Vector, vcpu: 1).Run();
        var d = r.Totals.DeviceInterrupts;
        Assert.That(d.Sent, Is.EqualTo(Sent));
        Assert.That(d.Posted, Is.EqualTo(Sent));
        Assert.That(d.Spurious, Is.Zero, "nothing else runs on its pCPU");
        if (!strict)
        {
            Assert.That(d.Doorbells, Is.EqualTo(Sent), "the non-strict put left IsRun = 1");
            Assert.That(d.ToRunningTarget + d.ToTargetInHost, Is.EqualTo(Sent));
            Assert.That(d.GaLogEntries, Is.Zero);
        }
        else
        {
            Assert.That(d.Doorbells, Is.LessThan(Sent), "a strict put clears IsRun");
            Assert.That(d.GaLogEntries, profile == 0 ? Is.Zero : Is.EqualTo(Sent - d.Doorbells), "GALogIntr on a put: 2022 only");
            Assert.That(d.Wakeups, Is.Zero, "not blocked: nothing to wake");
        }

        DeviceScenario.AssertNoneLost(r);
    }

    [TestCase(true)]
    [TestCase(false)]
    public void NotPosted_TheHostTakesItAndKvmInjects(bool strict)
    {
        var r = new Probe(vcpus: 2, pcpus: 2).Strict(strict).Role(1, "Compute").Device(40_000, Vector, vcpu: 1, posted: false).Run();
        var d = r.Totals.DeviceInterrupts;
        Assert.That(d.Remapped, Is.EqualTo(Sent));
        Assert.That(d.Posted + d.Doorbells + d.GaLogEntries, Is.Zero, "no IRTE in guest mode");
        Assert.That(r.Totals.VmExits.ExternalInterrupt, Is.EqualTo(Sent), "the MSI reaches the target's own pCPU in guest mode: an exit each");
        Assert.That(d.Accepted, Is.EqualTo(Sent), "injected while it handles the exit, taken at the next VMRUN");
        Assert.That(d.LatencyNs.Max, Is.EqualTo(1000 + 450), "the host's handler (Costs:HostInterruptNs) within the exit (Costs:VmExitNs), then the VMRUN");
        DeviceScenario.AssertNoneLost(r);
    }

    [Test]
    public void NotPosted_AnInterruptStillInTheHostsHandler_IsNotTakenEarly()
    {
        // Every 700 ns, each handled for 1,000 ns: one is always in the handler while the guest takes the one before.
        var r = new Probe(vcpus: 2, pcpus: 2).Role(1, "Compute").Device(700, Vector, vcpu: 1, posted: false).Set("Vms:0:HltExits", "true").Run();
        var d = r.Totals.DeviceInterrupts;
        Assert.That(d.Remapped, Is.EqualTo(d.Sent));
        Assert.That(d.LatencyNs.Count, Is.GreaterThan(0));
        Assert.That(d.LatencyNs.P50, Is.GreaterThanOrEqualTo(1000), "no interrupt is taken before the host's handler has injected it");
        DeviceScenario.AssertNoneLost(r);
    }

    [Test]
    public void IommuAvicOff_RemapsEveryInterrupt()
    {
        var r = new Probe(vcpus: 2, pcpus: 2).Set("Svm:IommuAvic", "false").Role(1, "Compute").Device(40_000, Vector, vcpu: 1).Run();
        Assert.That(r.Totals.DeviceInterrupts.Remapped, Is.EqualTo(Sent));
        Assert.That(r.Totals.DeviceInterrupts.Posted, Is.Zero);
    }

    [Test]
    public void DeviceVectorsAreNotIpis()
    {
        var r = new Probe(vcpus: 2, pcpus: 2).Role(1, "Compute").Device(40_000, Vector, vcpu: 1).Run();
        Assert.That(r.Totals.IpisSent, Is.Zero);
        Assert.That(r.Totals.IpiLatencyNs.Count, Is.Zero);
        Assert.That(r.Vms[0].Devices, Has.Count.EqualTo(1));
        Assert.That(r.Vms[0].Devices![0].Interrupts, Is.EqualTo(r.Totals.DeviceInterrupts), "one device: its figures are the totals");
        Assert.That(r.Vms[0].DeviceInterrupts, Is.EqualTo(r.Totals.DeviceInterrupts));
    }
}
