using System.Text.Json.Nodes;
using Emu.Tests.Host;

namespace Emu.Tests.Traces;

/// <summary>
/// `emu run --kvm-trace`: the run as `trace-cmd report` text. Two short runs — AVIC with a posted device, host tasks
/// and round-robin preemption; AVIC off, every IPI emulated by KVM — are read line by line against the kernel's
/// formats, checked for the threads' and CPUs' consistency, and counted against their result.json.
/// </summary>
public class KvmTraceExportTests
{
    private static readonly string[] Avic = { "--config", Cli.Scenario("devices-nvme.json"), "--set", "Simulation:DurationUs=3000" };

    private static readonly string[] Emulated =
    {
        "--set", "Simulation:DurationUs=2000", "--set", "Svm:Avic=false", "--set", "HostTasks:PerCpu=1",
        "--set", "Scheduler:Policy=RoundRobin", "--set", "Scheduler:TimeSliceUs=200",
    };

    private Run _avic = null!;
    private Run _emulated = null!;

    [OneTimeSetUp]
    public void RunBoth()
    {
        _avic = Run.Of(Avic);
        _emulated = Run.Of(Emulated);
    }

    [Test]
    public void EveryLine_IsTraceCmdReportText_InTheKernelsFormats()
    {
        foreach (var run in new[] { _avic, _emulated })
        {
            Assert.That(run.Cpus, Is.EqualTo((int)run.Result["pcpus"]!.AsArray().Count), "cpus=N: the host's pCPUs");
            Assert.That(run.Events.Select(e => e.TimeUs), Is.Ordered, "in time order");
        }

        var seen = _avic.Events.Concat(_emulated.Events).Select(e => e.Name).ToHashSet();
        Assert.That(seen, Is.EquivalentTo(TraceCmdText.Formats.Keys), "every tracepoint the export knows shows up in the two runs");
        var reasons = _avic.Events.Concat(_emulated.Events).Where(e => e.Name == "kvm_exit").Select(e => e.Fields.Groups["reason"].Value).ToHashSet();
        Assert.That(reasons, Is.SupersetOf(new[] { "hlt", "avic_incomplete_ipi", "interrupt", "npf", "io" }), "SVM_EXIT_REASONS' names");
    }

    [Test]
    public void VcpuThreads_AreNamedAsQemuNamesThem_AndPrintTheirOwnKvmEvents()
    {
        foreach (var run in new[] { _avic, _emulated })
        {
            foreach (var e in run.Events.Where(e => e.Name is "kvm_entry" or "kvm_exit" or "kvm_vcpu_wakeup" or "kvm_userspace_exit"))
            {
                Assert.That(e.Comm, Does.Match(@"^CPU \d+/KVM$"), $"line {e.LineNumber}: a vCPU's own event runs in its thread");
                if (e.Name is "kvm_entry" or "kvm_exit")
                {
                    Assert.That(e.Comm, Is.EqualTo($"CPU {e.Fields.Groups["vcpu"].Value}/KVM"), $"line {e.LineNumber}: vcpu_id is the thread's N");
                }
            }

            var idle = run.Events.Where(e => e.Comm == "<idle>").ToList();
            Assert.That(idle, Is.Not.Empty);
            Assert.That(idle.Select(e => e.Pid).Distinct(), Is.EqualTo(new[] { 0 }), "<idle>-0");
            Assert.That(run.Events.GroupBy(e => e.Comm).All(g => g.Select(e => e.Pid).Distinct().Count() == 1), Is.True, "one pid per thread");
        }
    }

    [Test]
    public void KvmEntryAndKvmExit_AlternatePerVcpuThread()
    {
        foreach (var run in new[] { _avic, _emulated })
        {
            var inGuest = new Dictionary<string, bool>();
            foreach (var e in run.Events.Where(e => e.Name is "kvm_entry" or "kvm_exit"))
            {
                bool entry = e.Name == "kvm_entry";
                Assert.That(inGuest.GetValueOrDefault(e.Comm), Is.EqualTo(!entry), $"line {e.LineNumber}: {e.Name} of {e.Comm} twice in a row");
                inGuest[e.Comm] = entry;
            }

            Assert.That(inGuest.Count, Is.EqualTo(run.Vcpus));
        }
    }

    [Test]
    public void SchedSwitch_NextOfOneIsPrevOfTheNext_OnEachCpu_AndEveryLineRunsInWhatRunsThere()
    {
        foreach (var run in new[] { _avic, _emulated })
        {
            var running = new Dictionary<int, (string Comm, int Pid)>();
            int switches = 0;
            foreach (var e in run.Events)
            {
                var (comm, pid) = running.GetValueOrDefault(e.Cpu, ("<idle>", 0));
                Assert.That((e.Comm, e.Pid), Is.EqualTo((comm, pid)), $"line {e.LineNumber}: the context is the task the CPU's last sched_switch ran");
                if (e.Name != "sched_switch")
                {
                    continue;
                }

                var f = e.Fields.Groups;
                string prev = f["prevComm"].Value;
                Assert.That(prev == comm || (pid == 0 && prev == $"swapper/{e.Cpu}"), Is.True, $"line {e.LineNumber}: prev {prev} is not what ran on CPU {e.Cpu} ({comm})");
                Assert.That(TraceCmdText.Int(f["prevPid"].Value), Is.EqualTo(pid));
                Assert.That(f["prevState"].Value, pid == 0 ? Is.EqualTo("R") : Is.AnyOf("S", "R+"), "the idle task is R; a task leaves asleep or preempted");
                int next = TraceCmdText.Int(f["nextPid"].Value);
                Assert.That(next, Is.Not.EqualTo(pid), $"line {e.LineNumber}: a switch to itself");
                running[e.Cpu] = (next == 0 ? "<idle>" : f["nextComm"].Value, next);
                switches++;
            }

            Assert.That(switches, Is.GreaterThan(10));
        }

        Assert.That(_avic.Events.Any(e => e.Name == "sched_switch" && e.Fields.Groups["prevState"].Value == "R+"), Is.True, "round-robin preempts");
    }

    [Test]
    public void ExitCounts_AreResultJsons()
    {
        foreach (var run in new[] { _avic, _emulated })
        {
            var exits = run.Result["totals"]!["vmExits"]!;
            Assert.That(run.Count("kvm_exit"), Is.EqualTo((long)exits["total"]!), "one kvm_exit per exit counted");
            Assert.That(run.Exits("hlt"), Is.EqualTo((long)exits["hlt"]!));
            Assert.That(run.Exits("io"), Is.EqualTo((long)exits["userspace"]!));
            Assert.That(run.Count("kvm_userspace_exit"), Is.EqualTo((long)exits["userspace"]!));
            long incomplete = exits["avicIncompleteIpi"]!.AsObject().Sum(c => (long)c.Value!);
            Assert.That(run.Exits("avic_incomplete_ipi"), Is.EqualTo(incomplete));
            Assert.That(run.Count("kvm_avic_incomplete_ipi"), Is.EqualTo(incomplete), "avic_incomplete_ipi_interception's own line with each");

            // exitStats counts an exit at its next VMRUN (perf kvm stat's pairing): the exits a kvm_entry follows.
            foreach (var stat in run.Result["exitStats"]!.AsArray())
            {
                string reason = (string)stat!["reason"]! == "intr" ? "interrupt" : (string)stat["reason"]!;
                Assert.That(run.ExitsReentered(reason), Is.EqualTo((long)stat["count"]!), $"exitStats {reason}");
            }
        }

        Assert.That(_avic.Exits("avic_incomplete_ipi"), Is.GreaterThan(0));
        Assert.That(_emulated.Exits("hlt"), Is.GreaterThan(0));
    }

    [Test]
    public void KvmApicAcceptIrq_IsKvmsOwnDelivery_OnePerIpiItEmulates()
    {
        // KVM's __apic_accept_irq runs when KVM, not the hardware, sets the vector: with AVIC off, for every IPI
        // message (result.json's ipisSent) and the guest's LAPIC timer (vector 236); not when the guest takes it.
        var totals = _emulated.Result["totals"]!;
        var accepts = _emulated.Events.Where(e => e.Name == "kvm_apic_accept_irq").ToList();
        Assert.That(accepts.Count(e => e.Fields.Groups["vec"].Value != "236"), Is.EqualTo((long)totals["ipisSent"]!));
        Assert.That(_emulated.Count("kvm_apic_ipi"), Is.EqualTo((long)totals["vmExits"]!["icrWrite"]!).Within(_emulated.Vcpus), "one per ICR write KVM emulated (those whose handler ran)");
        Assert.That((long)totals["interruptsAccepted"]!, Is.LessThanOrEqualTo(accepts.Count), "the guest takes at most what was set (coalescing)");

        // With AVIC the hardware delivers IPIs: KVM's accept_irq is the LAPIC timer's only (the device is posted).
        Assert.That(_avic.Events.Where(e => e.Name == "kvm_apic_accept_irq").Select(e => e.Fields.Groups["vec"].Value).Distinct(), Is.EqualTo(new[] { "236" }));
        Assert.That(_avic.Count("kvm_avic_ga_log"), Is.EqualTo((long)_avic.Result["totals"]!["deviceInterrupts"]!["gaLogEntries"]!).Within(2), "one per GA-log entry the notifier read");
    }

    [Test]
    public void TheExport_IsByteIdenticalAcrossRuns_AndLeavesResultJsonAsItIs()
    {
        var again = Run.Of(Avic);
        Assert.That(again.Text, Is.EqualTo(_avic.Text));

        using var cli = new Cli();
        var (code, _, stderr) = cli.Run(new[] { "run", "--out", cli.OutDir }.Concat(Avic).ToArray());
        Assert.That(code, Is.EqualTo(0), stderr);
        Assert.That(Run.WithoutWallTime(cli.Result()), Is.EqualTo(Run.WithoutWallTime(_avic.Result)), "result.json is the same with or without --kvm-trace");
    }

    [Test]
    public void KvmTraceLimit_StopsAfterNLines_AndSaysSo()
    {
        using var cli = new Cli();
        string trace = Path.Combine(cli.WorkDir, "k.txt");
        var (code, _, stderr) = cli.RunShort("--kvm-trace", trace, "--kvm-trace-limit", "40");
        Assert.That(code, Is.EqualTo(0), stderr);
        Assert.That(stderr, Does.Contain($"kvm trace: {trace} (40 lines, truncated by --kvm-trace-limit)"));
        var lines = File.ReadAllLines(trace);
        Assert.That(lines.Length, Is.EqualTo(41), "the cpus=N line and 40 events");
        TraceCmdText.Parse(lines);
    }

    // A bad --kvm-trace-limit: tests/Host/ResultOutputTests.TraceLimit_Invalid_ExitsTwo_NamingTheOption, with --trace-limit.

    [Test]
    public void BadPaths_ExitTwo_BeforeTheRun_NamingTheOption()
    {
        using var cli = new Cli();
        var folder = cli.RunShort("--kvm-trace", cli.WorkDir);
        Assert.That(folder.Code, Is.EqualTo(2));
        Assert.That(folder.Err.Trim(), Is.EqualTo($"error: --kvm-trace {cli.WorkDir}: is a folder, not a file"));

        string same = Path.Combine(cli.WorkDir, "t.txt");
        var both = cli.RunShort("--trace", same, "--kvm-trace", same);
        Assert.That(both.Code, Is.EqualTo(2));
        Assert.That(both.Err.Trim(), Is.EqualTo($"error: --kvm-trace {same}: is --trace's file too; give each its own"));
        Assert.That(File.Exists(cli.ResultFile), Is.False, "nothing ran");
    }

    [Test]
    public void AScenarioThatDoesNotValidate_WritesNoTrace()
    {
        using var cli = new Cli();
        string trace = Path.Combine(cli.WorkDir, "k.txt");
        var (code, _, _) = cli.RunShort("--kvm-trace", trace, "--set", "Simulation:DurationUs=-1");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(Directory.GetFiles(cli.WorkDir), Is.Empty, "neither the trace nor its temporary file");
    }

    /// <summary>One `emu run --kvm-trace`: the text, its events and the run's result.json.</summary>
    private sealed class Run
    {
        private Run(string text, JsonNode result)
        {
            Text = text;
            Result = result;
            (Cpus, Events) = TraceCmdText.Parse(text.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Vcpus = result["vms"]!.AsArray().Sum(vm => vm!["vcpus"]!.AsArray().Count);
        }

        public string Text { get; }

        public JsonNode Result { get; }

        public int Cpus { get; }

        public int Vcpus { get; }

        public List<TraceCmdEvent> Events { get; }

        public static Run Of(string[] args)
        {
            using var cli = new Cli();
            string trace = Path.Combine(cli.WorkDir, "k.txt");
            var (code, _, stderr) = cli.Run(new[] { "run", "--out", cli.OutDir, "--kvm-trace", trace }.Concat(args).ToArray());
            Assert.That(code, Is.EqualTo(0), stderr);
            Assert.That(stderr, Does.Contain($"kvm trace: {trace} ("));
            return new Run(File.ReadAllText(trace), cli.Result());
        }

        public static string WithoutWallTime(JsonNode result)
        {
            var copy = JsonNode.Parse(result.ToJsonString())!;
            copy.AsObject().Remove("wallSeconds");
            return copy.ToJsonString();
        }

        public long Count(string name) => Events.Count(e => e.Name == name);

        public long Exits(string reason) => Events.Count(e => e.Name == "kvm_exit" && e.Fields.Groups["reason"].Value == reason);

        /// <summary>Exits of <paramref name="reason"/> whose vCPU thread enters the guest again later in the trace.</summary>
        public long ExitsReentered(string reason)
        {
            long count = 0;
            var open = new Dictionary<string, string>();
            foreach (var e in Events.Where(e => e.Name is "kvm_entry" or "kvm_exit"))
            {
                if (e.Name == "kvm_exit")
                {
                    open[e.Comm] = e.Fields.Groups["reason"].Value;
                }
                else if (open.Remove(e.Comm, out string? r) && r == reason)
                {
                    count++;
                }
            }

            return count;
        }
    }
}
