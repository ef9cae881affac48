using System.Text.Json.Nodes;
using Emu.Host.Bench;

namespace Emu.Tests.Host;

/// <summary>`emu bench`: the scenario against the bare-queue reference over the same events, in one process.</summary>
public class CliBenchTests
{
    [Test]
    public void Bench_TimesTheSameEventsTheRunDispatches_AndReportsEveryRound()
    {
        using var cli = new Cli();
        var run = cli.RunShort("-q");
        Assert.That(run.Code, Is.EqualTo(0), run.Err);
        long events = cli.Result()["events"]!.GetValue<long>();

        var bench = cli.Run("bench", "--rounds", "2", "--json", "--set", "Simulation:DurationUs=2000");
        Assert.That(bench.Code, Is.EqualTo(0), bench.Err);
        var report = JsonNode.Parse(bench.Out)!;
        Assert.Multiple(() =>
        {
            Assert.That(report["events"]!.GetValue<long>(), Is.EqualTo(events), "the bench runs the scenario emu run runs");
            Assert.That(report["rounds"]!.AsArray(), Has.Count.EqualTo(2));
            Assert.That(report["vcpus"]!.GetValue<int>(), Is.EqualTo(8));
            Assert.That(report["referenceSubjects"]!.GetValue<int>(), Is.EqualTo(256));
            foreach (var round in report["rounds"]!.AsArray())
            {
                double model = round!["modelNsPerEvent"]!.GetValue<double>();
                double reference = round["referenceNsPerEvent"]!.GetValue<double>();
                Assert.That(model, Is.GreaterThan(0));
                Assert.That(reference, Is.GreaterThan(0));
                Assert.That(round["ratio"]!.GetValue<double>(), Is.EqualTo(reference / model).Within(0.01 * (reference / model) + 0.001));
            }

            Assert.That(report["retainedBytes"]!.GetValue<long>(), Is.GreaterThan(0));
            Assert.That(report["peakRssBytes"]!.GetValue<long>(), Is.GreaterThan(report["retainedBytes"]!.GetValue<long>()));
            Assert.That(report["unoptimisedAssemblies"]!.AsArray(), Is.Empty, "Emu's own assemblies are optimised in every configuration");
            Assert.That(bench.Err, Does.Not.Contain("optimisation off"));
        });
    }

    [Test]
    public void Bench_NamesAPluginBuiltWithOptimisationOff()
    {
        // The test plugins build in the tests' configuration, without Directory.Build.targets' setting: in a Debug
        // build (this assembly unoptimised too) the JIT may not optimise the Fifo policy, whose code the bench times.
        using var cli = new Cli();
        string plugins = Path.Combine(AppContext.BaseDirectory, "testplugins");
        var bench = cli.Run("bench", "--rounds", "1", "--json", "--set", "Simulation:DurationUs=500",
            "--set", $"Plugins:Directories:0={plugins}", "--set", "Scheduler:Policy=TestFifo");
        Assert.That(bench.Code, Is.EqualTo(0), bench.Err);
        var named = JsonNode.Parse(bench.Out)!["unoptimisedAssemblies"]!.AsArray().Select(n => n!.GetValue<string>()).ToList();
        if (OptimisationCheck.IsUnoptimised(typeof(CliBenchTests).Assembly))
        {
            Assert.That(named, Is.EqualTo(new[] { "Emu.TestPlugins.Fifo" }));
            Assert.That(bench.Err, Does.StartWith("warning: built with optimisation off (Debug builds?): Emu.TestPlugins.Fifo;"), "warned before the rounds");
        }
        else
        {
            Assert.That(named, Is.Empty);
            Assert.That(bench.Err, Does.Not.Contain("optimisation off"));
        }
    }

    [TestCase("--rounds", "0", "--rounds 0")]
    [TestCase("--reference-subjects", "0", "--reference-subjects 0")]
    public void Bench_BadCounts_AreExit2_NamingTheOption(string option, string value, string named)
    {
        using var cli = new Cli();
        var bench = cli.Run("bench", option, value);
        Assert.Multiple(() =>
        {
            Assert.That(bench.Code, Is.EqualTo(2));
            Assert.That(bench.Err, Does.Contain(named));
        });
    }
}
