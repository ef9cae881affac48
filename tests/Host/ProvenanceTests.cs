using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace Emu.Tests.Host;

/// <summary>What produced a result is in result.json, sweep.json, aggregate.json and the report.</summary>
public class ProvenanceTests
{
    [Test]
    public void ResultJson_NamesEmu_TheRuntime_AndEachPluginByHash()
    {
        using var cli = new Cli();
        Assert.That(cli.RunShort("-v", "q").Code, Is.EqualTo(0));
        var producer = cli.Result()["producer"]!;
        Assert.That((string)producer["emu"]!, Is.EqualTo(typeof(Emu.Core.Results.Producer).Assembly.GetName().Version!.ToString(3)));
        Assert.That((string?)producer["commit"], Does.Match("^[0-9a-f]{40}$"), "built from a git checkout: the commit is known");
        Assert.That((string)producer["runtime"]!, Does.StartWith(".NET "));
        var svm = producer["plugins"]!.AsArray().Single(p => (string)p!["name"]! == "Svm")!;
        string dll = Path.Combine(Cli.HostDir, "plugins", "Svm", "Emu.Plugins.Svm.dll");
        Assert.That((string)svm["sha256"]!, Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(dll)))));
        Assert.That((string)svm["contractVersion"]!, Is.EqualTo(Emu.Core.Contracts.EmuContract.Version.ToString()));
    }

    [Test]
    public void ASweep_RecordsItsProducer_InSweepJsonAggregateAndReport()
    {
        using var cli = new Cli();
        string dir = Path.Combine(cli.WorkDir, "sw");
        Assert.That(cli.Run("sweep", "--out", dir, "--set", "Simulation:DurationUs=300", "--vary", "Svm:AvicDoorbellStrict=true,false").Code, Is.EqualTo(0));
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "sweep.json")))!;
        var aggregate = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "aggregate.json")))!;
        Assert.That(manifest["producer"]!["plugins"]!.AsArray(), Has.Count.EqualTo(3));
        Assert.That(aggregate["producer"]!.ToJsonString(), Is.EqualTo(manifest["producer"]!.ToJsonString()));
        Assert.That(File.ReadAllText(Path.Combine(dir, "report.html")), Does.Contain("Produced by Emu "));
    }
}
