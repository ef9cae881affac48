using System.Text.Json.Nodes;

namespace Emu.Host.Bench;

/// <summary>What <c>emu bench</c> measured: every round, the medians, and the memory the scenario took.</summary>
internal sealed record BenchReport(
    int Vms,
    int Vcpus,
    int Pcpus,
    int ReferenceSubjects,
    IReadOnlyList<BenchRound> Rounds,
    long RetainedBytes,
    long PeakRssBytes,
    IReadOnlyList<string> UnoptimisedAssemblies)
{
    public double MedianModelNsPerEvent => Median(Rounds.Select(r => r.ModelNsPerEvent));

    public double MedianReferenceNsPerEvent => Median(Rounds.Select(r => r.ReferenceNsPerEvent));

    /// <summary>The median of the rounds' own ratios: each round's model and reference saw the same machine.</summary>
    public double MedianRatio => Median(Rounds.Select(r => r.Ratio));

    public JsonObject ToJson() => new()
    {
        ["vms"] = Vms,
        ["vcpus"] = Vcpus,
        ["pcpus"] = Pcpus,
        ["events"] = Rounds[0].Events,
        ["referenceSubjects"] = ReferenceSubjects,
        ["rounds"] = new JsonArray(Rounds.Select(r => (JsonNode)new JsonObject
        {
            ["buildSeconds"] = Math.Round(r.BuildSeconds, 4),
            ["modelNsPerEvent"] = Math.Round(r.ModelNsPerEvent, 2),
            ["referenceNsPerEvent"] = Math.Round(r.ReferenceNsPerEvent, 2),
            ["ratio"] = Math.Round(r.Ratio, 3),
        }).ToArray()),
        ["medianModelNsPerEvent"] = Math.Round(MedianModelNsPerEvent, 2),
        ["medianReferenceNsPerEvent"] = Math.Round(MedianReferenceNsPerEvent, 2),
        ["medianRatio"] = Math.Round(MedianRatio, 3),
        ["retainedBytes"] = RetainedBytes,
        ["retainedBytesPerVcpu"] = RetainedBytes / Math.Max(1, Vcpus),
        ["peakRssBytes"] = PeakRssBytes,
        ["unoptimisedAssemblies"] = new JsonArray(UnoptimisedAssemblies.Select(n => (JsonNode)n).ToArray()),
    };

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
