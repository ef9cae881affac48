using System.Globalization;
using System.Text.RegularExpressions;

namespace Emu.Tests.Traces;

/// <summary>One line of `trace-cmd report` text: its context columns and the event's own text.</summary>
internal sealed record TraceCmdEvent(int LineNumber, string Comm, int Pid, int Cpu, long TimeUs, string Name, string Info)
{
    public Match Fields => TraceCmdText.Formats[Name].Match(Info);
}

/// <summary>
/// Reads `trace-cmd report` text strictly: the context columns as libtraceevent prints them ("%16s-%-5d [%03d]
/// %5lu.%06lu: %s: " and the name padded to 20) and each event's text against its kernel TP_printk format.
/// </summary>
internal static partial class TraceCmdText
{
    private const string DeliveryMode = "(?<dm>Fixed|LowPrio|SMI|Res3|NMI|INIT|SIPI|ExtINT)";

    /// <summary>The TP_printk formats of arch/x86/kvm/trace.h, include/trace/events/kvm.h and sched.h, as regular expressions.</summary>
    public static readonly IReadOnlyDictionary<string, Regex> Formats = new Dictionary<string, Regex>
    {
        ["kvm_entry"] = new(@"^vcpu (?<vcpu>\d+), rip 0x[0-9a-f]+$"),
        ["kvm_exit"] = new(@"^vcpu (?<vcpu>\d+) reason (?<reason>[a-z_]+) rip 0x[0-9a-f]+ info1 0x(?<info1>[0-9a-f]{16}) info2 0x(?<info2>[0-9a-f]{16}) intr_info 0x[0-9a-f]{8} error_code 0x[0-9a-f]{8}$"),
        ["kvm_avic_incomplete_ipi"] = new(@"^vcpu=(?<vcpu>\d+), icrh:icrl=(?<icrh>0x[0-9a-f]{8}|0{10}):(?<icrl>[0-9a-f]{8}), id=(?<id>\d+), index=(?<index>\d+)$"),
        ["kvm_apic_ipi"] = new($@"^dst [0-9a-f]+ vec \d+ \({DeliveryMode}\|(logical|physical)\|(assert|de-assert)\|(level|edge)\|(dst|self|all|all-but-self)\)$"),
        ["kvm_apic_accept_irq"] = new($@"^apicid (?<apicid>[0-9a-f]+) vec (?<vec>\d+) \({DeliveryMode}\|(level|edge)\)$"),
        ["kvm_avic_ga_log"] = new(@"^vmid=\d+, vcpuid=\d+$"),
        ["kvm_userspace_exit"] = new(@"^reason KVM_EXIT_[A-Z0-9_]+ \(\d+\)$"),
        ["kvm_vcpu_wakeup"] = new(@"^(wait|poll) time \d+ ns, polling (valid|invalid)$"),
        ["sched_switch"] = new(@"^prev_comm=(?<prevComm>.+?) prev_pid=(?<prevPid>\d+) prev_prio=\d+ prev_state=(?<prevState>R\+?|[SDTtXZPI](\|[SDTtXZPI])*) ==> next_comm=(?<nextComm>.+?) next_pid=(?<nextPid>\d+) next_prio=\d+$"),
        ["sched_wakeup"] = new(@"^comm=(?<comm>.+?) pid=(?<pid>\d+) prio=\d+ target_cpu=(?<cpu>\d{3})$"),
    };

    /// <summary>The <c>cpus=N</c> header and every event; fails the test at the first line that is not trace-cmd's.</summary>
    public static (int Cpus, List<TraceCmdEvent> Events) Parse(string[] lines)
    {
        Assert.That(lines.Length, Is.GreaterThan(0));
        var header = Header().Match(lines[0]);
        Assert.That(header.Success, Is.True, $"first line '{lines[0]}' is not trace-cmd's cpus=N");
        var events = new List<TraceCmdEvent>();
        for (int i = 1; i < lines.Length; i++)
        {
            string line = lines[i];
            var m = Context().Match(line);
            Assert.That(m.Success, Is.True, $"line {i + 1} '{line}' is not in trace-cmd's context format");
            Assert.That(m.Groups["commField"].Length, Is.EqualTo(Math.Max(16, m.Groups["comm"].Length)), $"line {i + 1}: %16s comm");
            Assert.That(m.Groups["pidField"].Length, Is.EqualTo(Math.Max(5, m.Groups["pid"].Length)), $"line {i + 1}: %-5d pid");
            Assert.That(m.Groups["secField"].Length, Is.EqualTo(Math.Max(5, m.Groups["sec"].Length)), $"line {i + 1}: %5lu seconds");
            string name = m.Groups["name"].Value;
            int pad = Math.Max(0, 20 - name.Length);
            string rest = m.Groups["rest"].Value;
            Assert.That(rest.Length, Is.GreaterThan(pad), $"line {i + 1}: no event text");
            Assert.That(rest[..pad], Is.EqualTo(new string(' ', pad)), $"line {i + 1}: the name is padded to 20 characters");
            string info = rest[pad..];
            Assert.That(Formats.ContainsKey(name), Is.True, $"line {i + 1}: unexpected event {name}");
            Assert.That(Formats[name].IsMatch(info), Is.True, $"line {i + 1}: '{info}' does not match {name}'s TP_printk format");
            events.Add(new TraceCmdEvent(i + 1, m.Groups["comm"].Value, Int(m.Groups["pid"].Value), Int(m.Groups["cpu"].Value),
                (long.Parse(m.Groups["sec"].Value, CultureInfo.InvariantCulture) * 1_000_000) + Int(m.Groups["us"].Value), name, info));
        }

        return (Int(header.Groups[1].Value), events);
    }

    public static int Int(string text) => int.Parse(text, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^cpus=(\d+)$")]
    private static partial Regex Header();

    /// <summary>"%16s-%-5d [%03d] %5lu.%06lu: %s: ": the comm right-aligned in 16, the pid left-aligned in 5.</summary>
    [GeneratedRegex(@"^(?<commField> *(?<comm>\S.*?))-(?<pidField>(?<pid>\d+) *) \[(?<cpu>\d{3})\] (?<secField> *(?<sec>\d+))\.(?<us>\d{6}): (?<name>[a-z_]+): (?<rest>.*)$")]
    private static partial Regex Context();
}
