using Emu.Host.Output.KvmTrace;

namespace Emu.Tests.Traces;

/// <summary>The formatter against lines real `trace-cmd report` runs printed (quoted on LKML and in kernel docs).</summary>
public class TraceCmdLineTests
{
    [Test]
    public void ContextColumns_AreLibtraceeventsPrintf()
    {
        var line = new TraceCmdLine();
        line.Begin("qemu-kvm", 1637698, 19, 758_186_750_321_000, "kvm_entry").Text("vcpu 0, rip 0x4028b7");
        Assert.That(line.ToString(), Is.EqualTo("        qemu-kvm-1637698 [019] 758186.750321: kvm_entry:            vcpu 0, rip 0x4028b7"));

        line.Begin("<idle>", 0, 7, 52_135_417_000, "sched_wakeup");
        Tracepoints.SchedWakeup(line, "kworker/7:3", 196, 120, 7);
        Assert.That(line.ToString(), Is.EqualTo("          <idle>-0     [007]    52.135417: sched_wakeup:         comm=kworker/7:3 pid=196 prio=120 target_cpu=007"));

        line.Begin("<idle>", 0, 7, 52_135_421_000, "sched_switch");
        Tracepoints.SchedSwitch(line, "swapper/7", 0, 120, "R", "kworker/7:3", 196, 120);
        Assert.That(line.ToString(), Is.EqualTo("          <idle>-0     [007]    52.135421: sched_switch:         prev_comm=swapper/7 prev_pid=0 prev_prio=120 prev_state=R ==> next_comm=kworker/7:3 next_pid=196 next_prio=120"));
    }

    [Test]
    public void LongNames_AreNotPadded_AndTimeIsRoundedToTheMicrosecond()
    {
        var line = new TraceCmdLine();
        line.Begin("CPU 12/KVM", 1013, 3, 1_499, "kvm_avic_incomplete_ipi").Text("x");
        Assert.That(line.ToString(), Is.EqualTo("      CPU 12/KVM-1013  [003]     0.000001: kvm_avic_incomplete_ipi: x"));
        line.Begin("CPU 12/KVM", 1013, 3, 1_500, "kvm_exit").Text("x");
        Assert.That(line.ToString(), Does.Contain("     0.000002: kvm_exit:             x"));
    }

    [Test]
    public void WithNanoseconds_TheTimeHasNineDigits_AsTraceCmdReportDashT()
    {
        var line = new TraceCmdLine(nanoseconds: true);
        line.Begin("CPU 12/KVM", 1013, 3, 1_499, "kvm_exit").Text("x");
        Assert.That(line.ToString(), Is.EqualTo("      CPU 12/KVM-1013  [003]     0.000001499: kvm_exit:             x"));
        line.Begin("qemu-kvm", 1637698, 19, 758_186_750_321_007, "kvm_entry").Text("x");
        Assert.That(line.ToString(), Does.Contain(" [019] 758186.750321007: kvm_entry:"));
    }

    [Test]
    public void KvmAvicIncompleteIpi_PrintsIcrHighAsGlibcPrintsPercentHash010x()
    {
        var line = new TraceCmdLine();
        Tracepoints.KvmAvicIncompleteIpi(line.Begin("CPU 1/KVM", 1002, 1, 0, "kvm_avic_incomplete_ipi"), 1, 0x07000000_000040FBUL, (1UL << 32) | 7);
        Assert.That(line.ToString(), Does.EndWith("vcpu=1, icrh:icrl=0x07000000:000040fb, id=1, index=7"));
        Tracepoints.KvmAvicIncompleteIpi(line.Begin("CPU 3/KVM", 1004, 3, 0, "kvm_avic_incomplete_ipi"), 3, 0x40FBUL, 1UL << 32);
        Assert.That(line.ToString(), Does.EndWith("vcpu=3, icrh:icrl=0000000000:000040fb, id=1, index=0"), "'#' adds no 0x to zero");
    }

    [Test]
    public void KvmApicIpi_DecodesTheIcrAsTheKernelDoes()
    {
        var line = new TraceCmdLine();
        ulong icr = (0x05UL << 56) | (1 << 11) | (1 << 14) | (1 << 15) | (4 << 8) | 0x02;
        Tracepoints.KvmApicIpi(line.Begin("CPU 0/KVM", 1001, 0, 0, "kvm_apic_ipi"), icr);
        Assert.That(line.ToString(), Does.EndWith("kvm_apic_ipi:         dst 5 vec 2 (NMI|logical|assert|level|dst)"));
        Tracepoints.KvmApicIpi(line.Begin("CPU 0/KVM", 1001, 0, 0, "kvm_apic_ipi"), (3UL << 18) | 0xFD);
        Assert.That(line.ToString(), Does.EndWith("dst 0 vec 253 (Fixed|physical|de-assert|edge|all-but-self)"));
        Tracepoints.KvmApicAcceptIrq(line.Begin("CPU 0/KVM", 1001, 0, 0, "kvm_apic_accept_irq"), 10, (1 << 15) | (1 << 8) | 0x30);
        Assert.That(line.ToString(), Does.EndWith("kvm_apic_accept_irq:  apicid a vec 48 (LowPrio|level)"));
    }
}
