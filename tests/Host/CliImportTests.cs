using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Emu.Tests.Host;

/// <summary>
/// emu import of the shipped sample, then its replay with AVIC off, strict and non-strict, invariants on: the whole
/// recording replays (every recorded ICR write, per vCPU) and no wake-up is lost. And Emu's own runs, exported and
/// imported: replayed as recorded, they have the recording's per-vCPU counts.
/// </summary>
public class CliImportTests
{
    private static string Sample => Path.Combine(Cli.RepoRoot, "scenarios", "traces", "pinned-4vcpu.txt");

    /// <summary>A trace's ICR writes per vCPU, counted from its text: kvm_apic_ipi lines of each "CPU n/KVM" thread.</summary>
    private static int[] RecordedIcrWrites(string trace = "", int vcpus = 4)
    {
        var counts = new int[vcpus];
        foreach (string line in File.ReadLines(trace.Length > 0 ? trace : Sample))
        {
            var m = Regex.Match(line, @"^\s*CPU (\d+)/KVM-\d+ .* kvm_apic_ipi:");
            if (m.Success)
            {
                counts[int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)]++;
            }
        }

        return counts;
    }

    private static string Import(Cli cli, params string[] extra)
    {
        var (code, stdout, stderr) = cli.Run(new[] { "import", Sample, "--out", Path.Combine("replay", "sample.json") }.Concat(extra).ToArray());
        Assert.That(code, Is.EqualTo(0), stderr);
        return stdout;
    }

    [Test]
    public void Import_WritesTheScenario_AndAnActionsFileBesideIt_AndSaysWhatItUsedAndSkipped()
    {
        using var cli = new Cli();
        string summary = Import(cli);
        Assert.That(File.Exists(Path.Combine(cli.WorkDir, "replay", "sample.json")), Is.True);
        Assert.That(File.Exists(Path.Combine(cli.WorkDir, "replay", "sample.vm0.actions")), Is.True);
        Assert.That(summary, Does.Contain("trace-cmd report, 640 lines, 639 events"));
        Assert.That(summary, Does.Contain("used: kvm_entry 142, kvm_exit 141, kvm_apic_ipi 25, kvm_userspace_exit 45, kvm_mmio 68, kvm_apic 68, kvm_apic_accept_irq 28, sched_switch 28, sched_wakeup 14"));
        Assert.That(summary, Does.Contain("skipped: kvm_pio 47, kvm_eoi 18, kvm_vcpu_wakeup 15"));
        Assert.That(summary, Does.Contain("vm0: 4 vCPUs (threads 4121-4124) on pCPUs 0-3: 25 ICR writes"));
        Assert.That(summary, Does.Contain("scheduler: Pinned"));
        string scenario = File.ReadAllText(Path.Combine(cli.WorkDir, "replay", "sample.json"));
        Assert.That(scenario, Does.Contain("\"ActionsFile\": \"sample.vm0.actions\""), "relative to the scenario, so the two move together");
        var (valid, _, err) = cli.Run("validate", "--config", Path.Combine("replay", "sample.json"));
        Assert.That(valid, Is.EqualTo(0), err);
    }

    [Test]
    public void Import_IsDeterministic()
    {
        using var cli = new Cli();
        Import(cli);
        byte[] first = File.ReadAllBytes(Path.Combine(cli.WorkDir, "replay", "sample.vm0.actions"));
        string scenario = File.ReadAllText(Path.Combine(cli.WorkDir, "replay", "sample.json"));
        Import(cli);
        Assert.That(File.ReadAllBytes(Path.Combine(cli.WorkDir, "replay", "sample.vm0.actions")), Is.EqualTo(first));
        Assert.That(File.ReadAllText(Path.Combine(cli.WorkDir, "replay", "sample.json")), Is.EqualTo(scenario));
    }

    [TestCase("Svm:Avic=false", "emulated")]
    [TestCase("Svm:AvicDoorbellStrict=true", "avic-strict")]
    [TestCase("Svm:AvicDoorbellStrict=false", "avic-non-strict")]
    public void Replay_RunsTheWholeRecording_WithInvariantsOn_AndNoLostWakeups(string mode, string expected)
    {
        using var cli = new Cli();
        Import(cli, "--host-tasks");
        var (code, _, stderr) = cli.Run("run", "--config", Path.Combine("replay", "sample.json"), "--set", mode, "--set", "Simulation:CheckInvariants=true", "--out", cli.OutDir);
        Assert.That(code, Is.EqualTo(0), stderr);
        var r = cli.Result();
        Assert.That((bool)r["completed"]!, Is.True, (string?)r["failure"]);
        Assert.That((string)r["interruptVirtualization"]!, Is.EqualTo(expected));
        Assert.That((long)r["totals"]!["lostWakeups"]!, Is.Zero);
        Assert.That(r["lostWakeups"]!.AsArray(), Is.Empty);
        var sent = r["vms"]![0]!["vcpus"]!.AsArray().Select(v => (int)v!["ipisSent"]!).ToArray();
        Assert.That(sent, Is.EqualTo(RecordedIcrWrites()), "every recorded ICR write is replayed by its vCPU");
        Assert.That(sent.Sum(), Is.EqualTo(25));
    }

    [Test]
    public void Replay_StrictAgainstNonStrict_Compares()
    {
        using var cli = new Cli();
        Import(cli);
        string strict = Path.Combine(cli.WorkDir, "strict"), nonStrict = Path.Combine(cli.WorkDir, "non-strict");
        Assert.That(cli.Run("run", "--config", Path.Combine("replay", "sample.json"), "--out", strict, "-q").Code, Is.Zero);
        Assert.That(cli.Run("run", "--config", Path.Combine("replay", "sample.json"), "--set", "Svm:AvicDoorbellStrict=false", "--out", nonStrict, "-q").Code, Is.Zero);
        var (code, table, stderr) = cli.Run("compare", strict, nonStrict);
        Assert.That(code, Is.Zero, stderr);
        Assert.That(table, Does.Contain("Svm:AvicDoorbellStrict"));
    }

    private static readonly string[] Counted = { "ipisSent", "hltExits", "userspaceExits", "interruptsAccepted" };

    /// <summary>A result's per-vCPU figure, by vCPU.</summary>
    private static long[] PerVcpu(JsonNode result, string field) =>
        result["vms"]![0]!["vcpus"]!.AsArray().Select(v => (long)v![field]!).ToArray();

    /// <summary>
    /// Per vCPU, 1 when its thread's last KVM event is an NPF exit: with AVIC off, an ICR write whose exit the recording
    /// ends in, before KVM emulated it and logged its kvm_apic_ipi; result.json counts it (at the write), the trace
    /// cannot say what it was.
    /// </summary>
    private static int[] IcrWritesCutByTheEnd(string trace, int vcpus)
    {
        var last = new string[vcpus];
        foreach (string line in File.ReadLines(trace))
        {
            var m = Regex.Match(line, @"^\s*CPU (\d+)/KVM-\d+ .* (kvm_entry|kvm_exit|kvm_apic_ipi):(.*)$");
            if (m.Success)
            {
                last[int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)] = m.Groups[2].Value + m.Groups[3].Value;
            }
        }

        return last.Select(l => l is not null && Regex.IsMatch(l, @"^kvm_exit\s+vcpu \d+ reason npf ") ? 1 : 0).ToArray();
    }

    /// <summary>
    /// Records an Emu run with AVIC off as trace-cmd text to the nanosecond, imports it and replays it with AVIC off and
    /// invariants on (and <paramref name="replayed"/>); returns the recorded and the replayed result and the trace.
    /// </summary>
    private static (JsonNode Recorded, JsonNode Replayed, string Trace) RoundTrip(Cli cli, string[] recorded, params string[] replayed)
    {
        string trace = Path.Combine(cli.WorkDir, "run.txt");
        string recordedOut = Path.Combine(cli.WorkDir, "recorded");
        var (code, _, stderr) = cli.Run(new[] { "run", "--set", "Svm:Avic=false", "--set", "Simulation:DurationUs=2000", "--kvm-trace", trace, "--kvm-trace-ns", "--out", recordedOut, "-q" }.Concat(recorded).ToArray());
        Assert.That(code, Is.Zero, stderr);
        (code, _, stderr) = cli.Run("import", trace, "--out", "run.json", "-q");
        Assert.That(code, Is.Zero, stderr);
        (code, _, stderr) = cli.Run(new[] { "run", "--config", "run.json", "--set", "Svm:Avic=false", "--set", "Simulation:CheckInvariants=true", "--out", cli.OutDir, "-q" }.Concat(replayed).ToArray());
        Assert.That(code, Is.Zero, stderr);
        var replay = cli.Result();
        Assert.That((bool)replay["completed"]!, Is.True, (string?)replay["failure"]);
        Assert.That((long)replay["totals"]!["lostWakeups"]!, Is.Zero);
        return (JsonNode.Parse(File.ReadAllText(Path.Combine(recordedOut, "result.json")))!, replay, trace);
    }

    /// <summary>
    /// Issue 20's round trip: an Emu run with AVIC off, exported with --kvm-trace --kvm-trace-ns, imported and replayed with
    /// AVIC off, has per vCPU the same ICR writes, HLT exits, userspace exits and interrupts taken as the recording.
    /// </summary>
    [TestCase("42")]
    [TestCase("5")]
    public void AnExportedRun_ReplayedWithAvicOff_HasTheRecordedCountsPerVcpu(string seed)
    {
        using var cli = new Cli();
        var (recorded, replayed, trace) = RoundTrip(cli, new[] { "--set", "Simulation:Seed=" + seed });
        Assert.That(IcrWritesCutByTheEnd(trace, 8), Is.All.Zero, "this seed's recording ends in no ICR write's exit");
        foreach (string field in Counted)
        {
            Assert.That(PerVcpu(replayed, field), Is.EqualTo(PerVcpu(recorded, field)), field);
        }

        Assert.That(PerVcpu(replayed, "ipisSent").Sum(), Is.GreaterThan(1000));
        Assert.That(PerVcpu(replayed, "ipisSent"), Is.EqualTo(RecordedIcrWrites(trace, 8).Select(n => (long)n)), "the trace's kvm_apic_ipi lines, per vCPU");
    }

    /// <summary>
    /// Over-committed (12 vCPUs on 8 pCPUs, round-robin) with a host task per pCPU: the trace shows neither the policy nor
    /// the host tasks' own draws, so the replay is given them; the counts are then the recording's, less an ICR write
    /// the recording ended in the exit of.
    /// </summary>
    [Test]
    public void AnOvercommittedRun_WithHostTasks_GivenItsPolicyAndHostTasks_HasTheRecordedCountsPerVcpu()
    {
        using var cli = new Cli();
        string[] shared = { "--set", "Scheduler:Policy=RoundRobin", "--set", "HostTasks:PerCpu=1", "--set", "HostTasks:RunUs=500", "--set", "HostTasks:SleepUs=2000" };
        var (recorded, replayed, trace) = RoundTrip(cli, shared.Concat(new[] { "--set", "Vms:0:Vcpus=12" }).ToArray(), shared);
        var cut = IcrWritesCutByTheEnd(trace, 12);
        Assert.That(PerVcpu(replayed, "ipisSent"), Is.EqualTo(PerVcpu(recorded, "ipisSent").Zip(cut, (n, c) => n - c)));
        foreach (string field in Counted.Skip(1))
        {
            Assert.That(PerVcpu(replayed, field), Is.EqualTo(PerVcpu(recorded, field)), field);
        }
    }

    /// <summary>The same import replays under AVIC, strict and non-strict, with invariants on: every ICR write, no lost wake-up.</summary>
    [TestCase("true", "avic-strict")]
    [TestCase("false", "avic-non-strict")]
    public void AnExportedRun_ReplaysUnderAvic_WithInvariantsOn_AndNoLostWakeups(string strict, string expected)
    {
        using var cli = new Cli();
        var (recorded, replayed, _) = RoundTrip(cli, Array.Empty<string>(), "--set", "Svm:Avic=true", "--set", "Svm:AvicDoorbellStrict=" + strict);
        Assert.That((string)replayed["interruptVirtualization"]!, Is.EqualTo(expected));
        Assert.That(PerVcpu(replayed, "ipisSent"), Is.EqualTo(PerVcpu(recorded, "ipisSent")));
    }

    [Test]
    public void AnActionsFileGivenOnTheCommandLine_IsRelativeToTheWorkingFolder()
    {
        using var cli = new Cli();
        Import(cli);
        var (code, _, stderr) = cli.Run("validate", "--config", Path.Combine("replay", "sample.json"), "--set", "Vms:0:Workload:ActionsFile=" + Path.Combine("replay", "sample.vm0.actions"));
        Assert.That(code, Is.EqualTo(0), stderr);
        (code, _, stderr) = cli.Run("validate", "--config", Path.Combine("replay", "sample.json"), "--set", "Vms:0:Workload:ActionsFile=sample.vm0.actions");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain($"Vms:0:Workload:ActionsFile: {Path.Combine(cli.WorkDir, "sample.vm0.actions")}: no such file (from --set)"));
    }

    [Test]
    public void AReplayWhoseActionsAreMissingOrWrong_IsRefused_NamingTheKey()
    {
        using var cli = new Cli();
        Import(cli);
        string actions = Path.Combine(cli.WorkDir, "replay", "sample.vm0.actions");
        var (code, _, stderr) = cli.Run("validate", "--config", Path.Combine("replay", "sample.json"), "--set", "Vms:0:Vcpus=2");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain($"Vms:0:Workload:ActionsFile: {actions} holds the actions of 4 vCPUs; the VM has 2"));
        File.WriteAllText(actions, "not actions");
        (code, _, stderr) = cli.Run("validate", "--config", Path.Combine("replay", "sample.json"));
        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain($"Vms:0:Workload:ActionsFile: {actions}: not a replay actions file"));
        File.Delete(actions);
        (code, _, stderr) = cli.Run("validate", "--config", Path.Combine("replay", "sample.json"));
        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain($"Vms:0:Workload:ActionsFile: {actions}: no such file"));
    }
}
