using System.Text;
using Emu.Host.Traces;

namespace Emu.Tests.Traces;

/// <summary>The common part of every event line, as trace-cmd report, ftrace's trace file and perf script print it.</summary>
public class TraceLineParserTests
{
    private static TraceLine Parse(string line, TraceFormat expected)
    {
        var bytes = Encoding.UTF8.GetBytes(line);
        Assert.That(TraceLineParser.Detect(bytes), Is.EqualTo(expected), "detected format");
        Assert.That(TraceLineParser.TryParse(bytes, expected, out var parsed), Is.True, line);
        return parsed;
    }

    [Test]
    public void TraceCmdReport_Line_GivesThreadCpuTimeEventAndFields()
    {
        var e = Parse("       CPU 0/KVM-4121  [003]  5618.231407: kvm_exit:             reason EXIT_HLT rip 0xffffffff81c3f0e5 info 0 0", TraceFormat.TraceCmd);
        Assert.That(Encoding.UTF8.GetString(e.Comm), Is.EqualTo("CPU 0/KVM"));
        Assert.That((e.Pid, e.Tgid, e.Cpu, e.TimeNs), Is.EqualTo((4121, -1, 3, 5618_231_407_000L)));
        Assert.That(Encoding.UTF8.GetString(e.EventName), Is.EqualTo("kvm_exit"));
        Assert.That(Encoding.UTF8.GetString(e.Fields), Is.EqualTo("reason EXIT_HLT rip 0xffffffff81c3f0e5 info 0 0"));
    }

    [Test]
    public void FtraceLine_WithLatencyFlags_AndNanoseconds()
    {
        var e = Parse("       CPU 1/KVM-4122    [002] d..2. 100.000010123: kvm_entry: vcpu 1, rip 0xffffffff81064a2e", TraceFormat.TraceCmd);
        Assert.That((e.Pid, e.Cpu, e.TimeNs), Is.EqualTo((4122, 2, 100_000_010_123L)));
        Assert.That(Encoding.UTF8.GetString(e.Fields), Is.EqualTo("vcpu 1, rip 0xffffffff81064a2e"));
    }

    [Test]
    public void FtraceLine_WithRecordTgid_GivesTheProcess()
    {
        var e = Parse("       CPU 1/KVM-4122    (   4100) [002] d..2. 100.000010: kvm_entry: vcpu 1, rip 0x1", TraceFormat.TraceCmd);
        Assert.That((e.Pid, e.Tgid), Is.EqualTo((4122, 4100)));
        var unknown = Parse("  kworker/2:1-812     (-------) [002] ..... 100.000010: sched_wakeup: comm=x pid=1 prio=120 target_cpu=002", TraceFormat.TraceCmd);
        Assert.That((unknown.Pid, unknown.Tgid), Is.EqualTo((812, -1)));
    }

    [Test]
    public void ACommWithDashes_TakesThePidFromTheRight()
    {
        var e = Parse(" qemu-system-x86-4100  [000]  10.5: kvm_userspace_exit: reason KVM_EXIT_IO (2)", TraceFormat.TraceCmd);
        Assert.That(Encoding.UTF8.GetString(e.Comm), Is.EqualTo("qemu-system-x86"));
        Assert.That((e.Pid, e.TimeNs), Is.EqualTo((4100, 10_500_000_000L)));
    }

    [Test]
    public void PerfScript_Line_DropsTheSystem_AndReadsPidSlashTid()
    {
        var e = Parse("       CPU 0/KVM  4100/4121  [003] 5618.231407:         kvm:kvm_exit: vcpu 0 reason hlt rip 0x1 info1 0x0 info2 0x0 intr_info 0x00000000 error_code 0x00000000", TraceFormat.Perf);
        Assert.That(Encoding.UTF8.GetString(e.Comm), Is.EqualTo("CPU 0/KVM"));
        Assert.That((e.Pid, e.Tgid, e.Cpu), Is.EqualTo((4121, 4100, 3)));
        Assert.That(Encoding.UTF8.GetString(e.EventName), Is.EqualTo("kvm_exit"));
        var plain = Parse("       CPU 0/KVM  4121 [003] 5618.231407: kvm:kvm_entry: vcpu 0, rip 0x1", TraceFormat.Perf);
        Assert.That((plain.Pid, plain.Tgid), Is.EqualTo((4121, -1)));
    }

    [TestCase("")]
    [TestCase("   ")]
    [TestCase("# tracer: nop")]
    [TestCase("##### CPU 2 buffer started ####")]
    [TestCase("cpus=4")]
    [TestCase("version = 6")]
    [TestCase("CPU 3 is empty")]
    public void ReportHeaders_AreNotEvents(string line) => Assert.That(TraceLineParser.IsNoise(Encoding.UTF8.GetBytes(line)), Is.True);

    [Test]
    public void LostEvents_AreRecognised()
    {
        Assert.That(TraceLineParser.IsLostEvents("CPU:2 [LOST 1234 EVENTS]"u8, out long lost), Is.True);
        Assert.That(lost, Is.EqualTo(1234));
    }

    [TestCase("this is not a trace line")]
    [TestCase("       CPU 0/KVM-4121  [003]  5618: kvm_exit: reason hlt")]
    [TestCase("       CPU 0/KVM-4121  5618.231407: kvm_exit: reason hlt")]
    [TestCase("       CPU 0/KVM  [003]  5618.231407: kvm_exit: reason hlt")]
    public void NotAnEventLine_IsRefused(string line)
    {
        var bytes = Encoding.UTF8.GetBytes(line);
        Assert.That(TraceLineParser.TryParse(bytes, TraceFormat.TraceCmd, out _), Is.False);
        Assert.That(TraceLineParser.IsNoise(bytes), Is.False);
    }

    [Test]
    public void APerfLine_InATraceCmdReport_IsRefused() =>
        Assert.That(TraceLineParser.TryParse("CPU 0/KVM 4121 [003] 1.000001: kvm:kvm_entry: vcpu 0"u8, TraceFormat.TraceCmd, out _), Is.False);
}
