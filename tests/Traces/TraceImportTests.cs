using Emu.Core.Contracts;
using Emu.Core.Model;
using Emu.Host.Traces;

namespace Emu.Tests.Traces;

/// <summary>
/// Hand-written excerpts in the kernel's exact formats import to the per-vCPU action sequences the recording shows:
/// guest time (kvm_entry to kvm_exit) summed between actions (across kicks and preemptions) and cut at ICR writes, halts until the guest's
/// timer or just past their recorded end, userspace, in-kernel I/O and MMIO exits from kvm_exit to kvm_entry less
/// the time switched out; what is under way at the end goes on past the replay's end; everything else skipped and
/// counted.
/// </summary>
public class TraceImportTests
{
    /// <summary>ftrace's trace file on a 6.x AMD host, AVIC off: two vCPUs of one VM on CPUs 2 and 3.</summary>
    private const string Ftrace = """
        # tracer: nop
        #
        # entries-in-buffer/entries-written: 31/31   #P:4
        #
        #                                _-----=> irqs-off/BH-disabled
        #                               / _----=> need-resched
        #                              | / _---=> hardirq/softirq
        #                              || / _--=> preempt-depth
        #                              ||| / _-=> migrate-disable
        #                              |||| /     delay
        #           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION
        #              | |         |   |||||     |         |
               CPU 0/KVM-4121    [002] d..2. 100.000010: kvm_entry: vcpu 0, rip 0xffffffff81064a2e
               CPU 0/KVM-4121    [002] d..2. 100.000030: kvm_exit: vcpu 0 reason npf rip 0xffffffff81064a2e info1 0x0000000100000006 info2 0x00000000fee00300 intr_info 0x00000000 error_code 0x00000000
               CPU 0/KVM-4121    [002] ..... 100.000031: kvm_mmio: mmio write len 4 gpa 0xfee00300 val 0x40fb
               CPU 0/KVM-4121    [002] ..... 100.000031: kvm_apic: apic_write APIC_ICR = 0x40fb
               CPU 0/KVM-4121    [002] ..... 100.000031: kvm_apic_ipi: dst 1 vec 251 (Fixed|physical|assert|edge|dst)
               CPU 0/KVM-4121    [002] d..1. 100.000032: kvm_apic_accept_irq: apicid 1 vec 251 (Fixed|edge)
               CPU 0/KVM-4121    [002] d..3. 100.000032: sched_wakeup: comm=CPU 1/KVM pid=4122 prio=120 target_cpu=003
               CPU 0/KVM-4121    [002] d..2. 100.000033: kvm_entry: vcpu 0, rip 0xffffffff81064a31
                  <idle>-0       [003] d..2. 100.000034: sched_switch: prev_comm=swapper/3 prev_pid=0 prev_prio=120 prev_state=R ==> next_comm=CPU 1/KVM next_pid=4122 next_prio=120
               CPU 1/KVM-4122    [003] ..... 100.000035: kvm_vcpu_wakeup: wait time 35000 ns, polling valid
               CPU 1/KVM-4122    [003] d..2. 100.000036: kvm_entry: vcpu 1, rip 0xffffffff81c3f0e5
               CPU 0/KVM-4121    [002] d..2. 100.000050: kvm_exit: vcpu 0 reason io rip 0xffffffff8106a9c2 info1 0x00000000c0500010 info2 0x00000000ffffffff intr_info 0x00000000 error_code 0x00000000
               CPU 0/KVM-4121    [002] ..... 100.000051: kvm_pio: pio_write at 0xc050 size 2 count 1 val 0x0 
               CPU 0/KVM-4121    [002] ..... 100.000051: kvm_userspace_exit: reason KVM_EXIT_IO (2)
               CPU 1/KVM-4122    [003] d..2. 100.000056: kvm_exit: vcpu 1 reason hlt rip 0xffffffff81c3f0e6 info1 0x0000000000000000 info2 0x0000000000000000 intr_info 0x00000000 error_code 0x00000000
               CPU 0/KVM-4121    [002] d..2. 100.000063: kvm_entry: vcpu 0, rip 0xffffffff8106a9c4
               CPU 1/KVM-4122    [003] d..2. 100.000080: kvm_entry: vcpu 1, rip 0xffffffff81c3f0e6
               CPU 0/KVM-4121    [002] d..2. 100.000090: kvm_exit: vcpu 0 reason interrupt rip 0xffffffff8106a9d0 info1 0x0000000000000000 info2 0x0000000000000000 intr_info 0x00000000 error_code 0x00000000
               CPU 0/KVM-4121    [002] d..2. 100.000091: kvm_entry: vcpu 0, rip 0xffffffff8106a9d0
               CPU 1/KVM-4122    [003] d..2. 100.000100: kvm_exit: vcpu 1 reason npf rip 0xffffffff81c3f100 info1 0x0000000100000006 info2 0x00000000fee000b0 intr_info 0x00000000 error_code 0x00000000
               CPU 1/KVM-4122    [003] ..... 100.000100: kvm_mmio: mmio write len 4 gpa 0xfee000b0 val 0x0
               CPU 1/KVM-4122    [003] ..... 100.000100: kvm_apic: apic_write APIC_EOI = 0x0
               CPU 1/KVM-4122    [003] ..... 100.000100: kvm_eoi: apicid 1 vector 251
               CPU 1/KVM-4122    [003] d..2. 100.000101: kvm_entry: vcpu 1, rip 0xffffffff81c3f104
               CPU 1/KVM-4122    [003] d..2. 100.000110: kvm_exit: vcpu 1 reason npf rip 0xffffffff81c3f200 info1 0x0000000100000004 info2 0x00000000febf0000 intr_info 0x00000000 error_code 0x00000000
               CPU 1/KVM-4122    [003] ..... 100.000111: kvm_mmio: mmio read len 4 gpa 0xfebf0000 val 0x1
               CPU 1/KVM-4122    [003] d..2. 100.000113: kvm_entry: vcpu 1, rip 0xffffffff81c3f204
               CPU 0/KVM-4121    [002] d..3. 100.000120: sched_wakeup: comm=kworker/2:1 pid=812 prio=120 target_cpu=002
        """;

    [Test]
    public void Ftrace_6x_AvicOff_GivesEachVcpusActions()
    {
        var x = TraceExcerpt.Import(Ftrace);
        Assert.That(x.Vms, Has.Count.EqualTo(1));
        Assert.That(x.Vms[0].Vcpus, Has.Count.EqualTo(2));
        string ipi = new Icr(0x0100_0000_0000_40FBUL).ToString();
        Assert.That(x.Shown(0, 0), Is.EqualTo(new[]
        {
            "C 20000", $"I {ipi}", // guest 10..30, then the ICR write (the exit that carried it replays as the write)
            "C 17000", "U 13000", // guest 33..50; out of guest mode from the exit at 50 (KVM_RUN returned at 51) to 63
            "C 1056000", // 63..90 and 91..120 (the interrupt's exit at 90 is a kick: the guest resumes its burst), the recording's
                         // end, and on past the replay's end (10 + 110 µs) by 1 ms
        }));
        Assert.That(x.Shown(0, 1), Is.EqualTo(new[]
        {
            "H 22000", // out of guest mode from the recording's start (10) until its thread is woken (sched_wakeup at 32): halted
            "C 20000", "H 24001", // guest 36..56, HLT until the entry at 80 (woken by the IPI: the timer is armed 1 ns past it)
            "C 29000", "M 3000", // 80..100 and 101..110 (the EOI write is an APIC access, not replayed); a device's MMIO, 110..113
            "C 1007000", // 113..120, and on past the replay's end
        }));
    }

    [Test]
    public void Ftrace_6x_Summary_CountsWhatItUsedAndSkipped()
    {
        var t = TraceExcerpt.Import(Ftrace).Trace;
        Assert.That(t.Format, Is.EqualTo(TraceFormat.TraceCmd));
        Assert.That((t.Lines, t.Events, t.CpusSeen, t.DurationNs), Is.EqualTo((40L, 28L, 4, 110_000L)));
        Assert.That(t.Used, Is.EqualTo(new[]
        {
            ("kvm_entry", 8L), ("kvm_exit", 6L), ("kvm_apic_ipi", 1L), ("kvm_userspace_exit", 1L), ("kvm_mmio", 3L), ("kvm_apic", 2L),
            ("kvm_apic_accept_irq", 1L), ("sched_switch", 1L), ("sched_wakeup", 2L),
        }));
        Assert.That(t.Skipped.Ordered(), Is.EqualTo(new[] { ("kvm_eoi", 1L), ("kvm_pio", 1L), ("kvm_vcpu_wakeup", 1L) }));
        Assert.That(t.IgnoredExits.Ordered(), Is.EqualTo(new[] { ("APIC register access", 1L), ("interrupt", 1L) }));
    }

    /// <summary>trace-cmd report with its plugins on an older Intel host: kvm_exit without the vCPU, VMX reason names, kvm_entry without rip.</summary>
    private const string TraceCmdOldIntel = """
        cpus=2
                CPU 0/KVM-2001  [000]  50.000100: kvm_entry:            vcpu 0
                CPU 1/KVM-2002  [001]  50.000105: kvm_exit:             reason HLT rip 0xffffffff8106a9c2 info 0 0
                CPU 0/KVM-2001  [000]  50.000140: kvm_exit:             reason MSR_WRITE rip 0xffffffff81064a2e info 0 0
                CPU 0/KVM-2001  [000]  50.000140: kvm_msr:              msr_write 830 = 0x1000000fb
                CPU 0/KVM-2001  [000]  50.000141: kvm_apic:             apic_write APIC_ICR = 0xfb
                CPU 0/KVM-2001  [000]  50.000141: kvm_apic_ipi:         dst 1 vec 251 (Fixed|physical|de-assert|edge|dst)
                CPU 0/KVM-2001  [000]  50.000141: kvm_apic_accept_irq:  apicid 1 vec 251 (Fixed|edge)
                CPU 0/KVM-2001  [000]  50.000142: sched_wakeup:         CPU 1/KVM:2002 [120] CPU:001
                CPU 0/KVM-2001  [000]  50.000142: kvm_entry:            vcpu 0
                    <idle>-0     [001]  50.000143: sched_switch:         swapper/1:0 [120] R ==> CPU 1/KVM:2002 [120]
                CPU 1/KVM-2002  [001]  50.000145: kvm_entry:            vcpu 1
                CPU 0/KVM-2001  [000]  50.000150: kvm_exit:             reason EPT_MISCONFIG rip 0xffffffff81064b00 info 0 0
                CPU 0/KVM-2001  [000]  50.000150: kvm_mmio:             mmio unsatisfied-read len 4 gpa 0xfebf1004 val 0x0
                CPU 0/KVM-2001  [000]  50.000151: kvm_userspace_exit:   reason KVM_EXIT_MMIO (6)
                CPU 0/KVM-2001  [000]  50.000160: kvm_entry:            vcpu 0
                CPU 1/KVM-2002  [001]  50.000170: kvm_exit:             reason EXTERNAL_INTERRUPT rip 0xffffffff8106a9c2 info 0 800000ec
                CPU 1/KVM-2002  [001]  50.000171: sched_switch:         CPU 1/KVM:2002 [120] R ==> kworker/1:0:98 [120]
               kworker/1:0-98    [001]  50.000181: sched_switch:         kworker/1:0:98 [120] I ==> CPU 1/KVM:2002 [120]
                CPU 1/KVM-2002  [001]  50.000182: kvm_entry:            vcpu 1
                CPU 1/KVM-2002  [001]  50.000190: kvm_exit:             reason IO_INSTRUCTION rip 0xffffffff81036b7f info 0 0
                CPU 1/KVM-2002  [001]  50.000190: kvm_pio:              pio_read at 0x61 size 1 count 1 val 0x20 
                CPU 1/KVM-2002  [001]  50.000192: kvm_entry:            vcpu 1
                CPU 0/KVM-2001  [000]  50.000200: kvm_exit:             reason HLT rip 0xffffffff8106a9c2 info 0 0
        """;

    [Test]
    public void TraceCmd_Plugins_OldIntelHost()
    {
        var x = TraceExcerpt.Import(TraceCmdOldIntel, hostTasks: true);
        Assert.That(x.Shown(0, 0), Is.EqualTo(new[]
        {
            "C 40000", $"I {new Icr(0x0100_0000_0000_00FBUL)}", // x2APIC's ICR write (an MSR exit), de-assert as printed
            "C 8000", "U 10000", // MMIO handled by QEMU: from kvm_exit (150) to kvm_entry (160)
            "C 40000", "H 1000001", // 160..200; the HLT at 200 is under way at the end: it lasts past the replay's end (100 + 100 µs) by 1 ms
        }));
        Assert.That(x.Shown(0, 1), Is.EqualTo(new[]
        {
            "C 5000", "H 40001", // in guest mode from the start (100) to its HLT exit at 105; back at 145
            "C 33000", "M 2000", // 145..170 and 182..190 (a preemption, which sched_switch shows: the guest time runs on); the speaker port, in the kernel
            "C 1008000", // 192..200, and on past the replay's end
        }));
        var host = x.Trace.HostTasks!;
        Assert.That((host.Tasks, host.OnCpuNs, host.RunPhases, host.SleepPhases), Is.EqualTo((1, 10_000L, 1L, 0L)), "the kworker; vCPU threads and the idle task are not host tasks");
        Assert.That(x.Trace.IgnoredExits.Ordered(), Is.EqualTo(new[] { ("EXTERNAL_INTERRUPT", 1L) }));
    }

    /// <summary>perf script with pid/tid: two QEMU processes whose vCPU threads' ids interleave.</summary>
    private const string PerfTwoVms = """
               CPU 0/KVM  4100/4121  [000]   300.000010:         kvm:kvm_entry: vcpu 0, rip 0xffffffff81064a2e
               CPU 0/KVM  5100/4122  [001]   300.000011:         kvm:kvm_entry: vcpu 0, rip 0xffffffff81064a2e
               CPU 1/KVM  4100/4123  [002]   300.000012:         kvm:kvm_entry: vcpu 1, rip 0xffffffff81064a2e
               CPU 0/KVM  4100/4121  [000]   300.000020:          kvm:kvm_exit: vcpu 0 reason npf rip 0xffffffff81064a2e info1 0x0000000100000006 info2 0x00000000fee00300 intr_info 0x00000000 error_code 0x00000000
               CPU 0/KVM  4100/4121  [000]   300.000021:      kvm:kvm_apic_ipi: dst 1 vec 252 (Fixed|physical|assert|edge|dst)
               CPU 0/KVM  4100/4121  [000]   300.000022:         kvm:kvm_entry: vcpu 0, rip 0xffffffff81064a31
               CPU 0/KVM  5100/4122  [001]   300.000030:          kvm:kvm_exit: vcpu 0 reason hlt rip 0xffffffff81c3f0e5 info1 0x0000000000000000 info2 0x0000000000000000 intr_info 0x00000000 error_code 0x00000000
               CPU 1/KVM  4100/4123  [002]   300.000040:  sched:sched_switch: prev_comm=CPU 1/KVM prev_pid=4123 prev_prio=120 prev_state=R+ ==> next_comm=perf next_pid=6000 next_prio=120
        """;

    [Test]
    public void PerfScript_GroupsVcpusIntoVms_ByProcess()
    {
        var x = TraceExcerpt.Import(PerfTwoVms);
        Assert.That(x.Trace.Format, Is.EqualTo(TraceFormat.Perf));
        Assert.That(x.Vms.Select(v => (v.Tgid, v.Vcpus.Count)), Is.EqualTo(new[] { (4100, 2), (5100, 1) }));
        Assert.That(x.Shown(0, 0), Is.EqualTo(new[] { "C 10000", $"I {new Icr(0x0100_0000_0000_40FCUL)}", "C 1018000" }), "in guest mode at the end (40): on past the replay's end (10 + 30 µs) by 1 ms");
        Assert.That(x.Shown(0, 1), Is.EqualTo(new[] { "H 2000", "C 1028000" }));
        Assert.That(x.Shown(1, 0), Is.EqualTo(new[] { "H 1000", "C 19000", "H 1010001" }), "the HLT at 30 never ended in the recording: it lasts past the replay's end");
    }

    [Test]
    public void WithoutProcessIds_ARepeatedVcpuIdStartsTheNextVm()
    {
        const string text = """
                   CPU 0/KVM-4121  [000]  1.000010: kvm_entry: vcpu 0, rip 0x1
                   CPU 1/KVM-4122  [001]  1.000011: kvm_entry: vcpu 1, rip 0x1
                   CPU 0/KVM-5121  [002]  1.000012: kvm_entry: vcpu 0, rip 0x1
                   CPU 2/KVM-5123  [003]  1.000013: kvm_entry: vcpu 2, rip 0x1
            """;
        var x = TraceExcerpt.Import(text);
        Assert.That(x.Vms.Select(v => v.Threads.Select(t => t.Pid).ToArray()), Is.EqualTo(new[] { new[] { 4121, 4122 }, new[] { 5121, 5123 } }));
        Assert.That(x.Vms[1].Vcpus[1], Is.Null, "vCPU 1 of the second VM shows no thread: it replays nothing (halts)");
        Assert.That(x.Actions[1][1], Is.Empty);
    }

    /// <summary>With AVIC on, an ICR write that exits is logged twice (kvm_avic_incomplete_ipi, then kvm_apic_ipi when KVM emulates it): one write.</summary>
    [Test]
    public void AvicIncompleteIpi_AndItsEmulation_AreOneIcrWrite()
    {
        const string text = """
                   CPU 0/KVM-4121  [000] d..2. 7.000010: kvm_entry: vcpu 0, rip 0x1
                   CPU 0/KVM-4121  [000] d..2. 7.000020: kvm_exit: vcpu 0 reason avic_incomplete_ipi rip 0x1 info1 0x00000001000040fb info2 0x0000000100000001 intr_info 0x00000000 error_code 0x00000000
                   CPU 0/KVM-4121  [000] ..... 7.000021: kvm_avic_incomplete_ipi: vcpu=0, icrh:icrl=0x01000000:000040fb, id=1, index=1
                   CPU 0/KVM-4121  [000] ..... 7.000021: kvm_apic_ipi: dst 1 vec 251 (Fixed|physical|assert|edge|dst)
                   CPU 0/KVM-4121  [000] d..2. 7.000022: kvm_entry: vcpu 0, rip 0x1
                   CPU 0/KVM-4121  [000] d..2. 7.000030: kvm_exit: vcpu 0 reason avic_incomplete_ipi rip 0x1 info1 0x000000000000c40fd info2 0x0000000200000000 intr_info 0x00000000 error_code 0x00000000
                   CPU 0/KVM-4121  [000] ..... 7.000031: kvm_avic_incomplete_ipi: vcpu=0, icrh:icrl=0000000000:000c40fd, id=0, index=0
                   CPU 0/KVM-4121  [000] d..2. 7.000032: kvm_entry: vcpu 0, rip 0x1
                   CPU 0/KVM-4121  [000] d..2. 7.000040: kvm_exit: vcpu 0 reason avic_incomplete_ipi rip 0x1 info1 0x0 info2 0x0 intr_info 0x00000000 error_code 0x00000000
                   CPU 0/KVM-4121  [000] ..... 7.000041: kvm_avic_incomplete_ipi: vcpu=0, icrh:icrl=0x00000002:000040fb, id=2, index=2
            """;
        var x = TraceExcerpt.Import(text);
        Assert.That(x.Shown(0, 0), Is.EqualTo(new[]
        {
            "C 10000", $"I {new Icr(0x0100_0000_0000_40FBUL)}",
            "C 8000", $"I {new Icr(0x0000_0000_000C_40FDUL)}", // all-but-self
            "C 8000", $"I {new Icr(0x0200_0000_0000_40FBUL)}", // x2AVIC: the destination is all of ICR high
        }));
    }

    [Test]
    public void AThreadNamedAsAVcpu_WithOnlySkippedEvents_IsStillAVcpu()
    {
        const string text = """
                   CPU 0/KVM-4121  [000]  1.000010: kvm_entry: vcpu 0, rip 0x1
                   CPU 3/KVM-4124  [003]  1.000011: kvm_vcpu_wakeup: poll time 1000 ns, polling valid
            """;
        var x = TraceExcerpt.Import(text);
        Assert.That(x.Vms.Single().Vcpus, Has.Count.EqualTo(4), "vCPU 3 exists, so the VM has 4");
    }

    [Test]
    public void X2ApicDestinationsAboveFF_AreLeftOut_AndCounted()
    {
        const string text = """
                   CPU 0/KVM-4121  [000]  1.000010: kvm_entry: vcpu 0, rip 0x1
                   CPU 0/KVM-4121  [000]  1.000020: kvm_exit: vcpu 0 reason msr rip 0x1 info1 0x1 info2 0x0 intr_info 0x00000000 error_code 0x00000000
                   CPU 0/KVM-4121  [000]  1.000021: kvm_apic_ipi: dst 10001 vec 252 (Fixed|logical|assert|edge|dst)
                   CPU 0/KVM-4121  [000]  1.000022: kvm_entry: vcpu 0, rip 0x1
            """;
        var x = TraceExcerpt.Import(text);
        Assert.That(x.Trace.UnreplayableIcrWrites, Is.EqualTo(1));
        Assert.That(x.Actions[0][0].Count(a => a.Kind == GuestActionKind.SendIpi), Is.Zero);
    }

    /// <summary>
    /// A halt the guest's LAPIC timer ended (kvm_apic_accept_irq of vector 236, in whatever task runs on the vCPU's
    /// pCPU) replays that deadline; one an IPI ended arms the timer 1 ns past its recorded end.
    /// </summary>
    [Test]
    public void AHalt_EndsAtTheGuestsTimer_WhenTheRecordingShowsItFire()
    {
        const string text = """
                   CPU 0/KVM-4121  [000]  1.000010: kvm_entry: vcpu 0, rip 0x1
                   CPU 0/KVM-4121  [000]  1.000020: kvm_exit: vcpu 0 reason hlt rip 0x1 info1 0x0 info2 0x0 intr_info 0x00000000 error_code 0x00000000
                      <idle>-0     [000]  1.000270: kvm_apic_accept_irq: apicid 0 vec 236 (Fixed|edge)
                   CPU 0/KVM-4121  [000]  1.000275: kvm_entry: vcpu 0, rip 0x1
                   CPU 0/KVM-4121  [000]  1.000280: kvm_exit: vcpu 0 reason hlt rip 0x1 info1 0x0 info2 0x0 intr_info 0x00000000 error_code 0x00000000
                   CPU 1/KVM-4122  [001]  1.000290: kvm_apic_accept_irq: apicid 0 vec 251 (Fixed|edge)
                   CPU 0/KVM-4121  [000]  1.000295: kvm_entry: vcpu 0, rip 0x1
                   CPU 0/KVM-4121  [000]  1.000300: kvm_exit: vcpu 0 reason io rip 0x1 info1 0x0 info2 0x0 intr_info 0x00000000 error_code 0x00000000
            """;
        var x = TraceExcerpt.Import(text);
        Assert.That(x.Shown(0, 0), Is.EqualTo(new[] { "C 10000", "H 250000", "C 5000", "H 15001", "C 5000", "M 1000000" }),
            "the timer fired 250 µs into the first halt; an IPI ended the second; the I/O exit under way at the end outlasts the replay");
    }

    /// <summary>With several VMs, the timer's vCPU is the halted one with that id whose thread last ran on the line's pCPU.</summary>
    [Test]
    public void TheTimersVcpu_IsTheOneOnItsCpu_WhenSeveralVmsHaveItsId()
    {
        const string text = """
                   CPU 0/KVM-4121  [000]  1.000010: kvm_entry: vcpu 0, rip 0x1
                   CPU 0/KVM-5121  [001]  1.000010: kvm_entry: vcpu 0, rip 0x1
                   CPU 0/KVM-4121  [000]  1.000020: kvm_exit: vcpu 0 reason hlt rip 0x1 info1 0x0 info2 0x0 intr_info 0x00000000 error_code 0x00000000
                   CPU 0/KVM-5121  [001]  1.000020: kvm_exit: vcpu 0 reason hlt rip 0x1 info1 0x0 info2 0x0 intr_info 0x00000000 error_code 0x00000000
                      <idle>-0     [001]  1.000050: kvm_apic_accept_irq: apicid 0 vec 236 (Fixed|edge)
                   CPU 0/KVM-4121  [000]  1.000060: kvm_entry: vcpu 0, rip 0x1
                   CPU 0/KVM-5121  [001]  1.000060: kvm_entry: vcpu 0, rip 0x1
                   CPU 0/KVM-4121  [000]  1.000070: kvm_exit: vcpu 0 reason hlt rip 0x1 info1 0x0 info2 0x0 intr_info 0x00000000 error_code 0x00000000
            """;
        var x = TraceExcerpt.Import(text);
        Assert.That(x.Shown(0, 0).Take(2), Is.EqualTo(new[] { "C 10000", "H 40001" }));
        Assert.That(x.Shown(1, 0).Take(2), Is.EqualTo(new[] { "C 10000", "H 30000" }));
    }

    /// <summary>
    /// A userspace exit replays its time on the pCPU (kvm_exit to kvm_entry, less the time its thread was switched
    /// out: Emu's scheduler preempts the replay itself); an interrupt's exit, a preemption (a switch follows) or a kick
    /// (none does), interrupts the guest's burst, which runs on after it.
    /// </summary>
    [Test]
    public void TimeSwitchedOut_IsNotExitTime_AndPreemptionsAndKicks_DoNotCutTheBurst()
    {
        const string text = """
                   CPU 0/KVM-4121  [000]  1.000010: kvm_entry: vcpu 0, rip 0x1
                   CPU 0/KVM-4121  [000]  1.000020: kvm_exit: vcpu 0 reason io rip 0x1 info1 0x0 info2 0x0 intr_info 0x00000000 error_code 0x00000000
                   CPU 0/KVM-4121  [000]  1.000021: kvm_userspace_exit: reason KVM_EXIT_IO (2)
                   CPU 0/KVM-4121  [000]  1.000030: sched_switch: prev_comm=CPU 0/KVM prev_pid=4121 prev_prio=120 prev_state=R+ ==> next_comm=kworker/0:1 next_pid=90 next_prio=120
                 kworker/0:1-90    [000]  1.000050: sched_switch: prev_comm=kworker/0:1 prev_pid=90 prev_prio=120 prev_state=I ==> next_comm=CPU 0/KVM next_pid=4121 next_prio=120
                   CPU 0/KVM-4121  [000]  1.000060: kvm_entry: vcpu 0, rip 0x1
                   CPU 0/KVM-4121  [000]  1.000070: kvm_exit: vcpu 0 reason interrupt rip 0x1 info1 0x0 info2 0x0 intr_info 0x00000000 error_code 0x00000000
                   CPU 0/KVM-4121  [000]  1.000071: sched_switch: prev_comm=CPU 0/KVM prev_pid=4121 prev_prio=120 prev_state=R+ ==> next_comm=kworker/0:1 next_pid=90 next_prio=120
                 kworker/0:1-90    [000]  1.000080: sched_switch: prev_comm=kworker/0:1 prev_pid=90 prev_prio=120 prev_state=I ==> next_comm=CPU 0/KVM next_pid=4121 next_prio=120
                   CPU 0/KVM-4121  [000]  1.000081: kvm_entry: vcpu 0, rip 0x1
                   CPU 0/KVM-4121  [000]  1.000090: kvm_exit: vcpu 0 reason interrupt rip 0x1 info1 0x0 info2 0x0 intr_info 0x00000000 error_code 0x00000000
                   CPU 0/KVM-4121  [000]  1.000091: kvm_entry: vcpu 0, rip 0x1
                   CPU 0/KVM-4121  [000]  1.000095: kvm_exit: vcpu 0 reason hlt rip 0x1 info1 0x0 info2 0x0 intr_info 0x00000000 error_code 0x00000000
                   CPU 0/KVM-4121  [000]  1.000100: kvm_entry: vcpu 0, rip 0x1
            """;
        var x = TraceExcerpt.Import(text);
        Assert.That(x.Shown(0, 0), Is.EqualTo(new[]
        {
            "C 10000", "U 20000", // out of guest mode 20..60, switched out 30..50
            "C 23000", // 60..70, past the preemption 81..90, and past the kick 91..95: one burst the guest resumes each time
            "H 5001", "C 1000000", // 91..95, the halt to 100, then on past the replay's end (10 + 90 µs) by 1 ms
        }));
    }
}
