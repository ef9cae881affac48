using System.Text.Json.Nodes;

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
        });
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
