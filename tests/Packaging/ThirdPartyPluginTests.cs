using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using Emu.Core.Contracts;
using Emu.Tests.Host;

namespace Emu.Tests.Packaging;

/// <summary>A plugin author's and an embedder's paths, through the real artifacts: the packed package, the built samples, the instantiated template.</summary>
[NonParallelizable]
public class ThirdPartyPluginTests
{
    private static string OneVm(Cli cli, string kind) => cli.Write("one-vm.json", $$"""
        { "Vms": [ { "Name": "vm0", "Vcpus": 4, "Workload": { "Kind": "{{kind}}" } } ],
          "Simulation": { "DurationUs": 5000 } }
        """);

    [Test]
    public void CorePackage_CarriesXmlDocs_AndItsVersionIsTheContractVersion()
    {
        string nupkg = Directory.GetFiles(PackagedArtifacts.Feed, "Emu.Core.*.nupkg").Single();
        using var zip = ZipFile.OpenRead(nupkg);
        Assert.That(zip.Entries.Select(e => e.FullName), Does.Contain("lib/net10.0/Emu.Core.dll").And.Contain("lib/net10.0/Emu.Core.xml"));
        using var nuspec = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open();
        var version = Version.Parse(XDocument.Load(nuspec).Descendants().Single(e => e.Name.LocalName == "version").Value);
        Assert.That((version.Major, version.Minor), Is.EqualTo((EmuContract.Major, EmuContract.Minor)), "package major.minor = contract major.minor");
    }

    [Test]
    public void ThirdPartyScheduler_BuiltAgainstThePackage_IsLoadedFromAFolder_AndSelectedByName()
    {
        string plugins = Path.Combine(PackagedArtifacts.Scratch, "sample-plugins");
        PackagedArtifacts.Build(Path.Combine(Cli.RepoRoot, "samples", "ThirdPartyScheduler", "ThirdPartyScheduler.csproj"), Path.Combine(plugins, "Lottery"));
        Assert.That(File.Exists(Path.Combine(plugins, "Lottery", "Emu.Core.dll")), Is.False, "the plugin uses the host's Emu.Core");

        using var cli = new Cli();
        var listed = cli.Run("plugins", "--set", $"Plugins:Directories:0={plugins}");
        Assert.That(listed.Code, Is.EqualTo(0), listed.Err);
        Assert.That(listed.Out, Does.Contain("Lottery").And.Contain($"contract  {EmuContract.Version}"));

        var (code, _, stderr) = cli.RunShort("--set", $"Plugins:Directories:0={plugins}", "--set", "Scheduler:Policy=Lottery", "--set", "Scheduler:Lottery:SliceUs=500");
        Assert.That(code, Is.EqualTo(0), stderr);
        Assert.That((string)cli.Result()["scheduler"]!, Is.EqualTo("Lottery"));
        Assert.That((long)cli.Result()["totals"]!["contextSwitches"]!, Is.GreaterThan(0));

        var bad = cli.RunShort("--set", $"Plugins:Directories:0={plugins}", "--set", "Scheduler:Policy=Lottery", "--set", "Scheduler:Lottery:SliceUs=1");
        Assert.That(bad.Code, Is.EqualTo(2));
        Assert.That(bad.Err, Does.Contain("Scheduler:Lottery:SliceUs"));
    }

    [Test]
    public void Template_CreatesAPlugin_ThatBuildsAgainstThePackage_AndRuns()
    {
        string hive = Path.Combine(PackagedArtifacts.Scratch, "template-hive");
        string project = Path.Combine(PackagedArtifacts.Scratch, "Acme.Storm");
        Dotnet.Ok(PackagedArtifacts.Scratch, "new", "install", Path.Combine(Cli.RepoRoot, "templates", "emu-plugin"), "--debug:custom-hive", hive);
        Dotnet.Ok(PackagedArtifacts.Scratch, "new", "emu-plugin", "-n", "Acme.Storm", "--kind", "Storm", "-o", project, "--debug:custom-hive", hive);
        Assert.That(File.ReadAllText(Path.Combine(project, "Workload.cs")), Does.Contain("Kind => \"Storm\"").And.Contain("namespace Acme.Storm;"));

        string plugins = Path.Combine(PackagedArtifacts.Scratch, "template-plugins");
        PackagedArtifacts.Build(Path.Combine(project, "Acme.Storm.csproj"), Path.Combine(plugins, "Storm"));

        using var cli = new Cli();
        var (code, _, stderr) = cli.RunShort("--config", OneVm(cli, "Storm"), "--set", $"Plugins:Directories:0={plugins}", "--set", "Vms:0:Workload:Burst=5");
        Assert.That(code, Is.EqualTo(0), stderr);
        var r = cli.Result();
        Assert.That((long)r["totals"]!["ipisSent"]!, Is.GreaterThan(100));
        Assert.That((long)r["totals"]!["vmExits"]!["hlt"]!, Is.GreaterThan(0), "the template's workload halts between bursts");
    }

    [Test]
    public void EmbeddingSample_StepsTheCoreInItsOwnLoop_AndReadsResults()
    {
        string output = Path.Combine(PackagedArtifacts.Scratch, "embedding");
        PackagedArtifacts.Build(Path.Combine(Cli.RepoRoot, "samples", "Embedding", "Embedding.csproj"), output);
        var (code, stdout) = Dotnet.Run(output, Path.Combine(output, "Embedding.dll"), "10");
        Assert.That(code, Is.EqualTo(0), stdout);
        Assert.That(stdout, Does.Contain("t = 5 ms").And.Contain("t = 10 ms"));
        Assert.That(stdout, Does.Contain("avic-strict: completed=True").And.Contain("avic-non-strict: completed=True"));
        Assert.That(stdout, Does.Contain("lostWakeups=0"));
    }
}

/// <summary>Plugins:Pins, and a plugin that throws while running.</summary>
public class PluginSafetyTests
{
    private static string TestPlugins => Path.Combine(AppContext.BaseDirectory, "testplugins");

    private static string FifoHash => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Directory.GetFiles(TestPlugins, "Emu.TestPlugins.Fifo.dll", SearchOption.AllDirectories).Single())));

    [Test]
    public void PinnedPlugin_WithItsHash_Loads()
    {
        using var cli = new Cli();
        var (code, stdout, stderr) = cli.Run("plugins", "--set", $"Plugins:Directories:0={TestPlugins}", "--set", $"Plugins:Pins:TestFifo={FifoHash.ToUpperInvariant()}");
        Assert.That(code, Is.EqualTo(0), stderr);
        Assert.That(stdout, Does.Contain(FifoHash));
    }

    [TestCase("0000000000000000000000000000000000000000000000000000000000000000", "Plugins:Pins:TestFifo: plugin ", "refusing to load it")]
    [TestCase("abc", "Plugins:Pins:TestFifo: expected the plugin assembly's SHA-256 as 64 hex digits", "")]
    public void PinnedPlugin_WithAnotherHash_IsRefused(string pin, string expected, string also)
    {
        using var cli = new Cli();
        var (code, _, stderr) = cli.Run("plugins", "--set", $"Plugins:Directories:0={TestPlugins}", "--set", $"Plugins:Pins:TestFifo={pin}");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain(expected).And.Contain(also));
        Assert.That(stderr, Does.Not.Contain("   at "), "no stack trace");
    }

    [Test]
    public void PinForAPluginThatIsNotThere_IsRefused()
    {
        using var cli = new Cli();
        var (code, _, stderr) = cli.Run("plugins", "--set", $"Plugins:Pins:Nowhere={new string('a', 64)}");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain("Plugins:Pins:Nowhere: no plugin 'Nowhere' was loaded"));
    }

    [Test]
    public void PluginThrowingWhileRunning_IsNamed_AndThePartialResultIsMarkedIncomplete()
    {
        using var cli = new Cli();
        var (code, _, stderr) = cli.RunShort("--set", $"Plugins:Directories:0={TestPlugins}", "--set", "Scheduler:Policy=TestFifo", "--set", "Scheduler:TestFifo:ThrowAtDispatch=3");
        Assert.That(code, Is.EqualTo(2), "a broken plugin is bad input, not a model failure");
        Assert.That(stderr, Does.Contain("Emu.TestPlugins.Fifo threw InvalidOperationException").And.Contain("dispatch 3"));
        var r = cli.Result();
        Assert.That((bool)r["completed"]!, Is.False);
        Assert.That((long)r["simulatedNs"]!, Is.LessThan(2_000_000L), "the partial result stops where the plugin threw");
    }

    [Test]
    public void PluginThrowingInOneSweepPoint_LeavesTheOtherPointsComplete()
    {
        using var cli = new Cli();
        string outDir = Path.Combine(cli.WorkDir, "sweep");
        var (code, _, _) = cli.Run("sweep", "--set", $"Plugins:Directories:0={TestPlugins}", "--set", "Scheduler:Policy=TestFifo",
            "--set", "Simulation:DurationUs=2000", "--vary", "Scheduler:TestFifo:ThrowAtDispatch=0,3", "--replications", "2", "--jobs", "2", "--out", outDir);
        Assert.That(code, Is.EqualTo(1), "a sweep with failed points says so");
        var points = Directory.GetFiles(Path.Combine(outDir, "points"), "*.json").Order(StringComparer.Ordinal)
            .Select(f => JsonNode.Parse(File.ReadAllText(f))!).ToList();
        Assert.That(points, Has.Count.EqualTo(4));
        Assert.That(points.Select(p => (bool)p["completed"]!), Is.EqualTo(new[] { true, true, false, false }));
        Assert.That((string)points[2]["failure"]!, Does.Contain("Emu.TestPlugins.Fifo threw"));
    }
}
