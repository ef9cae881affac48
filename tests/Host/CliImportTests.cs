using System.Text.RegularExpressions;

namespace Emu.Tests.Host;

/// <summary>
/// emu import of the shipped sample, then its replay with AVIC off, strict and non-strict, invariants on: the whole
/// recording replays (every recorded ICR write, per vCPU) and no wake-up is lost.
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
        Assert.That(summary, Does.Match(@"skipped: .*kvm_pio 47.*sched_wakeup 14"));
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

    /// <summary>Emu's own run, exported with --kvm-trace, imports and replays every ICR write it traced, by the same vCPU.</summary>
    [Test]
    public void AnExportedRun_ImportsAndReplays()
    {
        using var cli = new Cli();
        string trace = Path.Combine(cli.WorkDir, "run.txt");
        var (code, _, stderr) = cli.Run("run", "--set", "Svm:Avic=false", "--set", "Simulation:DurationUs=2000", "--kvm-trace", trace, "--out", Path.Combine(cli.WorkDir, "recorded"), "-q");
        Assert.That(code, Is.Zero, stderr);
        (code, _, stderr) = cli.Run("import", trace, "--out", "run.json", "--host-tasks", "-q");
        Assert.That(code, Is.Zero, stderr);
        (code, _, stderr) = cli.Run("run", "--config", "run.json", "--set", "Svm:Avic=false", "--set", "Simulation:CheckInvariants=true", "--out", cli.OutDir, "-q");
        Assert.That(code, Is.Zero, stderr);
        var r = cli.Result();
        Assert.That((long)r["totals"]!["lostWakeups"]!, Is.Zero);
        var sent = r["vms"]![0]!["vcpus"]!.AsArray().Select(v => (int)v!["ipisSent"]!).ToArray();
        Assert.That(sent, Is.EqualTo(RecordedIcrWrites(trace, sent.Length)));
        Assert.That(sent.Sum(), Is.GreaterThan(1000));
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
