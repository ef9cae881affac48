using System.Globalization;

namespace Emu.Tests.Devices;

/// <summary>
/// The I/O half of the doorbell question on over-committed hosts: a VM's device interrupts while its vCPUs are
/// preempted by another VM, in strict and non-strict mode, and posted against remapped delivery.
/// </summary>
public class DeviceOvercommitTests
{
    /// <summary>
    /// vm0 (2 vCPUs) shares 2 pCPUs with vm1 (2 vCPUs, compute only), 50 us slices; vm0's device interrupts its vCPUs in
    /// turn. vm0 computes, sends IPIs, halts and exits to userspace now and then.
    /// </summary>
    private static Dictionary<string, string?> Shared(bool strict, string policy = "RoundRobin", int seed = 42) => Scenario.Defaults()
        .With("Simulation:Seed", seed.ToString(CultureInfo.InvariantCulture))
        .With("Simulation:DurationUs", "5000")
        .With("Topology:CoresPerSocket", "2")
        .With("Topology:ThreadsPerCore", "1")
        .With("Vms:0:Vcpus", "2")
        .With("Vms:0:Workload:Halt", "0.2")
        .With("Vms:0:Workload:UserspaceExit", "0.1")
        .With("Vms:1:Name", "vm1")
        .With("Vms:1:Vcpus", "2")
        .With("Vms:1:Workload:Kind", "Mixed")
        .With("Vms:1:Workload:Ipi", "0")
        .With("Scheduler:Policy", policy)
        .With("Scheduler:TimeSliceUs", "50")
        .With("Svm:AvicDoorbellStrict", strict ? "true" : "false")
        .Device(0, 7_000, 0x40, new[] { 0, 1 }, jitter: 0.3);

    [Test]
    public void ToAPreemptedVcpu_NonStrictRingsTheForeignTask_StrictRingsNothingThere()
    {
        var nonStrict = DeviceScenario.Run(Shared(strict: false)).Totals.DeviceInterrupts;
        var strict = DeviceScenario.Run(Shared(strict: true)).Totals.DeviceInterrupts;
        Assert.That(nonStrict.Sent, Is.EqualTo(strict.Sent), "the device's stream does not depend on the policy");
        Assert.That(nonStrict.SpuriousOnForeignTask, Is.GreaterThan(0), "non-strict: a preempted vCPU's IRTE still says running on the pCPU vm1 now uses");
        Assert.That(strict.SpuriousOnForeignTask, Is.Zero, "strict: the put cleared IsRun");
        Assert.That(strict.Doorbells, Is.LessThan(nonStrict.Doorbells));
        Assert.That(strict.GaLogEntries, Is.GreaterThan(0), "halted vCPUs are woken through the GA log");
        Assert.That(strict.Wakeups, Is.InRange(1, strict.GaLogEntries), "a GA-log entry wakes its vCPU unless something else did first");
    }

    [Test]
    public void AfterAWarmUp_OnlyInterruptsRaisedSinceAreCounted_AndNoneIsLost()
    {
        // Interrupts pending when the counts restart are taken later but were not sent in the measured span.
        var r = DeviceScenario.Run(Shared(strict: true).With("Simulation:WarmupUs", "1003"));
        Assert.That(r.Totals.DeviceInterrupts.Sent, Is.GreaterThan(0));
    }

    [TestCase("RoundRobin", 1)]
    [TestCase("RoundRobin", 2)]
    [TestCase("Fair", 1)]
    [TestCase("Random", 3)]
    [TestCase("SmtSpread", 4)]
    public void Strict_NeverRingsADeviceDoorbellOnAForeignTask(string policy, int seed)
    {
        var r = DeviceScenario.Run(Shared(strict: true, policy, seed));
        Assert.That(r.Totals.DeviceInterrupts.Sent, Is.GreaterThan(500));
        Assert.That(r.Totals.DeviceInterrupts.SpuriousOnForeignTask, Is.Zero);
        Assert.That(r.Totals.DeviceInterrupts.Spurious, Is.Zero, "strict: IsRun = 1 only while the vCPU is loaded where the IRTE says");
    }

    [TestCase(true)]
    [TestCase(false)]
    public void PostedAndRemapped_DeliverTheSameVectorsToTheSameVcpus(bool strict)
    {
        // The differential: the same device stream, once posted by the IOMMU, once taken by the host and injected by KVM.
        var keys = Shared(strict).Device(1, 11_000, 0x41, new[] { 1, 0 }, jitter: 0.5, name: "nic0");
        var postedLog = new DeviceScenario.RaiseLog();
        var remappedLog = new DeviceScenario.RaiseLog();
        var posted = DeviceScenario.Run(keys, postedLog);
        var remapped = DeviceScenario.Run(keys.With("Vms:0:Devices:0:Posted", "false").With("Vms:0:Devices:1:Posted", "false"), remappedLog);
        Assert.That(remappedLog.Raised, Is.EqualTo(postedLog.Raised), "the same vectors to the same vCPUs, in the same order");
        Assert.That(posted.Totals.DeviceInterrupts.Posted, Is.EqualTo(postedLog.Raised.Count));
        Assert.That(remapped.Totals.DeviceInterrupts.Remapped, Is.EqualTo(remappedLog.Raised.Count));
        for (int i = 0; i < 2; i++)
        {
            var p = posted.Vms[0].Devices![i].Interrupts;
            var m = remapped.Vms[0].Devices![i].Interrupts;
            Assert.That(m.Sent, Is.EqualTo(p.Sent));
            Assert.That(m.Accepted + m.Pending, Is.EqualTo(p.Accepted + p.Pending), "each is taken (or still pending) in both");
        }

        Assert.That(remapped.Totals.VmExits.ExternalInterrupt, Is.GreaterThan(posted.Totals.VmExits.ExternalInterrupt), "remapped MSIs that reach a guest exit it");
    }

    [TestCase(true)]
    [TestCase(false)]
    public void IoHeavy_CompletesEachRequestWithAnInterruptToItsVcpu(bool strict)
    {
        var keys = Scenario.Defaults().With("Vms:0:Workload:Kind", "IoHeavy").With("Svm:AvicDoorbellStrict", strict ? "true" : "false");
        var r = DeviceScenario.Run(keys);
        var io = r.Vms[0].Devices!.Single();
        Assert.That(io.Name, Is.EqualTo("io0"));
        Assert.That(io.Vector, Is.EqualTo(0x21));
        long requests = r.Totals.VmExits.Userspace;
        Assert.That(io.Interrupts.Sent, Is.InRange(requests - (3 * r.Vms[0].Vcpus.Count), requests), "one completion per request (those of the last 15 us still in flight)");
    }

    [Test]
    public void UnderTheNestedInhibit_AVcpuInL2HasItsIrtesOutOfGuestMode_AndTheHostTakesItsInterrupts()
    {
        // Upstream (Nested:Avic = false): while an L1 vCPU runs L2 its AVIC is inhibited, and
        // avic_refresh_apicv_exec_ctrl takes its IRTEs out of guest mode; back in L1 they post again.
        var keys = Scenario.Defaults()
            .With("Simulation:DurationUs", "5000")
            .With("Topology:CoresPerSocket", "2")
            .With("Topology:ThreadsPerCore", "1")
            .With("Vms:0:Workload:Ipi", "0.2")
            .With("Vms:0:Workload:Halt", "0.1")
            .With("Vms:0:Nested:Vcpus", "4")
            .With("Vms:0:Nested:Avic", "false")
            .With("Vms:0:Nested:L2Share", "0.7")
            .With("Vms:0:Nested:Workload:Kind", "Mixed")
            .With("Scheduler:Policy", "RoundRobin")
            .With("Scheduler:TimeSliceUs", "100")
            .Device(0, 5_000, 0x40, new[] { 0, 1 });
        var b = Scenario.Builder(keys, new Emu.Plugins.Svm.SvmPlugin(), new Emu.Plugins.NestedSvm.NestedSvmPlugin());
        using var sim = b.Build();
        var r = sim.Run();
        Assert.That(r.Failure, Is.Null);
        DeviceScenario.AssertNoneLost(r);
        var d = r.Totals.DeviceInterrupts;
        Assert.That(d.Remapped, Is.GreaterThan(0), "in L2: remapped to the host");
        Assert.That(d.Posted, Is.GreaterThan(0), "in L1: posted");
    }
}
