namespace Emu.Tests.Host;

/// <summary>Every kind of bad input: one clear line naming the file, key or plugin, exit code 2, no stack trace, nothing written.</summary>
public class CliBadInputTests
{
    private static IEnumerable<TestCaseData> BadSets()
    {
        yield return new TestCaseData("Simulation:DurationUs=0", "Simulation:DurationUs").SetName("OutOfRangeValue");
        yield return new TestCaseData("Simulation:DurationUs=soon", "Simulation:DurationUs").SetName("UnparsableValue");
        yield return new TestCaseData("Simulation:Speed=3", "Simulation:Speed").SetName("UnknownKey");
        yield return new TestCaseData("Svn:Avic=false", "Svn").SetName("UnknownSection");
        yield return new TestCaseData("Scheduler:Policy=Lottery", "known: Pinned, RoundRobin").SetName("UnknownPolicy_ListsKnown");
        yield return new TestCaseData("Vms:0:Workload:Kind=Bursty", "known: Mixed").SetName("UnknownWorkload_ListsKnown");
        yield return new TestCaseData("Vms:0:Workload:Ipi=-1", "Vms:0:Workload:Ipi").SetName("NegativeWeight");
        yield return new TestCaseData("Topology:CoresPerSocket=2", "Pinned needs at least as many pCPUs as vCPUs").SetName("CrossField_PinnedOverCommit");
        yield return new TestCaseData("Scheduler:Fair:LatencyUs=0", "Scheduler:Fair:LatencyUs: must be between 1 and").SetName("PolicyOptionOutOfRange");
        yield return new TestCaseData("Scheduler:Fair:Latency=6000", "Scheduler:Fair:Latency: unknown key (known: LatencyUs, MinGranularityUs)").SetName("PolicyOptionUnknown");
        yield return new TestCaseData("Scheduler:Fair:MinGranularityUs=9000", "Scheduler:Fair:MinGranularityUs: 9000 must not exceed Scheduler:Fair:LatencyUs").SetName("PolicyOptionCrossField");
        yield return new TestCaseData("Scheduler:Pinned:Cpus=3", "Scheduler:Pinned:Cpus: unknown key").SetName("PolicyWithoutOptions");
        yield return new TestCaseData("Scheduler:NumaLocal:MaxNodeLoad=lots", "Scheduler:NumaLocal:MaxNodeLoad: 'lots' is not a number").SetName("NumaOptionNotANumber");
        yield return new TestCaseData("Scheduler:Random:PreferIdle=sometimes", "Scheduler:Random:PreferIdle: 'sometimes' is not true or false").SetName("RandomOptionBadBool");
        yield return new TestCaseData("Scheduler:WatchdogFallback=Lottery", "Scheduler:WatchdogFallback: unknown policy 'Lottery' (known: Pinned").SetName("UnknownFallback");
        yield return new TestCaseData("Scheduler:WatchdogFallback=Pinned", "Scheduler:WatchdogFallback: 'Pinned' is the policy the watchdog would eject").SetName("FallbackIsThePolicy");
        yield return new TestCaseData("Vms:0:VcpuCpus:9:0=1", "Vms:0:VcpuCpus:9: VM 'vm0' has no vCPU 9").SetName("AffinityForMissingVcpu");
        yield return new TestCaseData("Vms:0:VcpuCpus:0:0=99", "Vms:0:VcpuCpus:0: pCPU 99 does not exist").SetName("AffinityToMissingPcpu");
        yield return new TestCaseData("Svm:Avic:Strict=false", "Svm:Avic:Strict: Svm:Avic is a value").SetName("SubKeyUnderAValue");
        yield return new TestCaseData("Svm:AvicDoorbellStrict=maybe", "Svm:AvicDoorbellStrict").SetName("PluginOptionBadBool");
        yield return new TestCaseData("Plugins:Disabled:0=Turbo", "unknown plugin 'Turbo'").SetName("UnknownPluginName");
        yield return new TestCaseData("Plugins:Directories:0=nowhere", "Plugins:Directories:0").SetName("MissingPluginDirectory");
    }

    [TestCaseSource(nameof(BadSets))]
    public void BadValue_IsRefused_WithTheKey_AndExitCode2(string set, string expected)
    {
        using var cli = new Cli();
        AssertRefused(cli, cli.RunShort("--set", set), expected);
    }

    [Test]
    public void MalformedJson_NamesTheFile()
    {
        using var cli = new Cli();
        string file = cli.Write("broken.json", """{ "Simulation": { "Seed": 1, } ,, }""");
        AssertRefused(cli, cli.RunShort("--config", file), "broken.json");
    }

    [Test]
    public void MissingConfigFile_NamesIt()
    {
        using var cli = new Cli();
        AssertRefused(cli, cli.RunShort("--config", "absent.json"), "--config: file not found: absent.json");
    }

    [Test]
    public void MalformedSet_NamesTheArgument()
    {
        using var cli = new Cli();
        AssertRefused(cli, cli.RunShort("--set", "Seed"), "--set 'Seed': expected Section:Key=value");
    }

    [Test]
    public void UnknownOptionOrCommand_IsExitCode2()
    {
        using var cli = new Cli();
        AssertRefused(cli, cli.Run("run", "--turbo"), "--turbo");
        AssertRefused(cli, cli.Run("fly"), "fly");
    }

    [Test]
    public void Verbose_AddsTheStackTrace()
    {
        using var cli = new Cli();
        var (code, _, stderr) = cli.RunShort("--set", "Simulation:DurationUs=0", "--verbose");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain("   at "));
    }

    [Test]
    public void Validate_ReportsEveryProblem_NotJustTheFirst()
    {
        using var cli = new Cli();
        var (code, _, stderr) = cli.Run("validate", "--set", "Simulation:DurationUs=0", "--set", "HostTasks:PerCpu=-1");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain("Simulation:DurationUs").And.Contain("HostTasks:PerCpu"));
    }

    internal static void AssertRefused(Cli cli, (int Code, string Out, string Err) run, string expected)
    {
        Assert.That(run.Code, Is.EqualTo(2), $"stdout: {run.Out}\nstderr: {run.Err}");
        Assert.That(run.Err, Does.Contain(expected));
        Assert.That(run.Err, Does.StartWith("error: "));
        Assert.That(run.Err, Does.Not.Contain("   at "), "no stack trace without --verbose");
        Assert.That(Directory.Exists(cli.OutDir), Is.False, "nothing is written on a failed validation");
    }
}
