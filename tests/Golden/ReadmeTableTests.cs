using System.Globalization;
using System.Text.Json.Nodes;
using Emu.Tests.Host;

namespace Emu.Tests.Golden;

/// <summary>
/// The README's strict / non-strict table is pinned to the two golden results it comes from: a change that moves
/// those figures moves the goldens, and this test then asks for the README to say the same.
/// </summary>
public class ReadmeTableTests
{
    [Test]
    public void ReadmeTable_MatchesTheGoldenResults()
    {
        var strict = Totals(GoldenCase.ReadmeStrict);
        var nonStrict = Totals(GoldenCase.ReadmeNonStrict);
        var expected = new List<string>
        {
            Row("VM exits", N(strict, "vmExits.total"), N(nonStrict, "vmExits.total")),
            Row("AVIC_INCOMPLETE_IPI, target not running", N(strict, "vmExits.avicIncompleteIpi.targetNotRunning"), N(nonStrict, "vmExits.avicIncompleteIpi.targetNotRunning")),
            Row("doorbells to the target's thread in host mode", N(strict, "doorbells.toTargetInHost"), N(nonStrict, "doorbells.toTargetInHost")),
            Row("spurious doorbells / on foreign tasks",
                $"{N(strict, "doorbells.spurious")} / {N(strict, "doorbells.spuriousOnForeignTask")}",
                $"{N(nonStrict, "doorbells.spurious")} / {N(nonStrict, "doorbells.spuriousOnForeignTask")}"),
            Row("I/O completions (io0): IOMMU doorbells / to the thread in host mode",
                $"{N(strict, "deviceInterrupts.doorbells")} / {N(strict, "deviceInterrupts.toTargetInHost")}",
                $"{N(nonStrict, "deviceInterrupts.doorbells")} / {N(nonStrict, "deviceInterrupts.toTargetInHost")}"),
            Row("I/O completion latency p50 / p99",
                $"{N(strict, "deviceInterrupts.latencyNs.p50")} / {N(strict, "deviceInterrupts.latencyNs.p99")} ns",
                $"{N(nonStrict, "deviceInterrupts.latencyNs.p50")} / {N(nonStrict, "deviceInterrupts.latencyNs.p99")} ns"),
            Row("time stolen from foreign tasks", N(strict, "stolenNsOnForeignTasks") + " ns", N(nonStrict, "stolenNsOnForeignTasks") + " ns"),
            Row("lost wake-ups", N(strict, "lostWakeups"), N(nonStrict, "lostWakeups")),
        };

        var readme = File.ReadAllLines(Path.Combine(Cli.RepoRoot, "README.md"));
        int header = Array.FindIndex(readme, l => l.StartsWith("| | strict | non-strict |", StringComparison.Ordinal));
        Assert.That(header, Is.GreaterThanOrEqualTo(0), "README.md lost its strict / non-strict table");
        var rows = readme.Skip(header + 2).TakeWhile(l => l.StartsWith('|')).ToList();
        Assert.That(rows, Is.EqualTo(expected), "README.md's table differs from tests/Golden/readme-*.json; copy these rows into it");
    }

    private static JsonNode Totals(string golden) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(GoldenCase.Folder, golden + ".json")))!["totals"]!;

    private static string N(JsonNode totals, string path)
    {
        JsonNode node = totals;
        foreach (string part in path.Split('.'))
        {
            node = node[part] ?? throw new InvalidOperationException($"totals.{path} is missing from the golden");
        }

        return node.GetValue<long>().ToString("N0", CultureInfo.InvariantCulture);
    }

    private static string Row(string label, string strict, string nonStrict) => $"| {label} | {strict} | {nonStrict} |";
}
