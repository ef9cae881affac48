using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Emu.Core.Configuration;
using Emu.Core.Results;
using Emu.Host.Output;

namespace Emu.Host.Sweeps;

/// <summary>
/// A sweep's folder: sweep.json, points/NNNNNN.json (each a result.json), sweep.csv (one row per point), and,
/// once every point is there, aggregate.json and aggregate.csv (one row per combination), plots/ and report.html.
/// Every file is written atomically; sweep.json and the points as the sweep goes, so an interrupted sweep can resume.
/// </summary>
internal static class SweepOutput
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Written before the first point runs, so that an interrupted folder still says which sweep it holds.</summary>
    public static void WriteManifest(string dir, SweepManifest manifest, Producer? producer)
    {
        Directory.CreateDirectory(Path.Combine(dir, "points"));
        var json = manifest.ToJson();
        if (producer is not null)
        {
            json["producer"] = ProducerJson(producer); // not part of the sweep's identity: a rebuilt emu may resume it
        }

        AtomicFile.WriteAllText(Path.Combine(dir, SweepManifest.FileName), json.ToJsonString(Indented));
    }

    /// <summary>result.json's producer block, with its naming.</summary>
    public static JsonNode ProducerJson(Producer producer) => JsonNode.Parse(ResultJson.SerializeValue(producer))!;

    /// <summary>Written as soon as the point finishes (whole or not at all), so that an interruption keeps it.</summary>
    public static void WritePoint(string dir, PointResult point) =>
        AtomicFile.WriteAllText(SweepManifest.PointFile(dir, point.Point.Index), ResultJson.Serialize(point.Result));

    /// <summary>sweep.csv and, once every point is there, the aggregate, plots and report: all from the points alone.</summary>
    public static void WriteSummary(string dir, SweepManifest manifest, IReadOnlyList<PointResult> points)
    {
        var ordered = points.OrderBy(p => p.Point.Index).ToList();
        AtomicFile.WriteAllText(Path.Combine(dir, "sweep.csv"), SweepCsv(manifest.Plan, ordered));
        if (ordered.Count == manifest.Plan.PointCount)
        {
            var aggregate = SweepAggregate.Build(manifest.Plan, ordered);
            if (ordered.Count > 0 && ordered[0].Result.Producer is { } producer)
            {
                aggregate["producer"] = ProducerJson(producer); // the first point's; each point keeps its own in points/
            }

            AtomicFile.WriteAllText(Path.Combine(dir, "aggregate.json"), aggregate.ToJsonString(Indented));
            AtomicFile.WriteAllText(Path.Combine(dir, "aggregate.csv"), AggregateCsv(manifest.Plan, aggregate));
            string plotDir = Path.Combine(dir, "plots");
            var plots = Reports.SweepPlots.Write(plotDir, manifest.Plan, aggregate);
            Reports.SweepReport.Write(dir, manifest.Plan, aggregate, plots, plotDir);
        }
    }

    /// <summary>The points a shard folder holds, checked against its manifest; every one must be there.</summary>
    public static List<PointResult> ReadPoints(string dir, SweepManifest manifest)
    {
        var points = new List<PointResult>();
        foreach (var point in manifest.Plan.Points(manifest.Shard))
        {
            points.Add(ReadPoint(dir, point)
                ?? throw new EmuConfigurationException($"{dir}: shard {manifest.Shard} is missing {SweepManifest.PointFile(dir, point.Index)}; was the shard finished?"));
        }

        return points;
    }

    /// <summary>The points of <paramref name="wanted"/> already in the folder (an interrupted sweep's), in order.</summary>
    public static List<PointResult> ReadFinishedPoints(string dir, IEnumerable<SweepPoint> wanted) =>
        wanted.Select(p => ReadPoint(dir, p)).OfType<PointResult>().ToList();

    /// <summary>The point's file, or null if it has not been written; a file that is not this point's result is bad input.</summary>
    private static PointResult? ReadPoint(string dir, SweepPoint point)
    {
        string file = SweepManifest.PointFile(dir, point.Index);
        if (!File.Exists(file))
        {
            return null;
        }

        SimulationResult? result;
        try
        {
            result = ResultJson.Deserialize(File.ReadAllText(file));
        }
        catch (JsonException ex)
        {
            throw new EmuConfigurationException($"{file}: not a valid result: {ex.Message}");
        }

        if (result is null || result.Seed != point.Seed)
        {
            throw new EmuConfigurationException($"{file}: does not belong to this sweep (expected seed {point.Seed})");
        }

        return new PointResult(point, result, ResultMetrics.Totals(result));
    }

    private static string SweepCsv(SweepPlan plan, List<PointResult> points)
    {
        var sb = new StringBuilder();
        var header = new List<string> { "point", "combination", "replication", "seed" };
        header.AddRange(plan.Axes.Select(a => a.Key));
        header.Add("completed");
        if (points.Count > 0)
        {
            header.AddRange(points[0].Metrics.Select(m => m.Key));
        }

        Line(sb, header);
        foreach (var p in points)
        {
            var row = new List<string> { I(p.Point.Index), I(p.Point.Combination), I(p.Point.Replication), I(p.Point.Seed) };
            row.AddRange(p.Point.Values.Select(v => v.Value));
            row.Add(p.Result.Completed ? "true" : "false");
            row.AddRange(p.Metrics.Select(m => D(m.Value)));
            Line(sb, row);
        }

        return sb.ToString();
    }

    private static string AggregateCsv(SweepPlan plan, JsonObject aggregate)
    {
        var sb = new StringBuilder();
        var combinations = aggregate["combinations"]!.AsArray();
        var metricNames = combinations.Count > 0 ? combinations[0]!["metrics"]!.AsObject().Select(m => m.Key).ToList() : new List<string>();
        var header = new List<string>();
        header.AddRange(plan.Axes.Select(a => a.Key));
        header.Add("runs");
        foreach (string m in metricNames)
        {
            header.Add(m + ".mean");
            header.Add(m + ".ci95");
        }

        Line(sb, header);
        foreach (var c in combinations)
        {
            var row = plan.Axes.Select(a => (string)c!["values"]![a.Key]!).ToList();
            row.Add(I((int)c!["runs"]!));
            foreach (string m in metricNames)
            {
                row.Add(D((double)c["metrics"]![m]!["mean"]!));
                row.Add(c["metrics"]![m]!["ci95"] is { } ci ? D((double)ci) : string.Empty);
            }

            Line(sb, row);
        }

        return sb.ToString();
    }

    private static void Line(StringBuilder sb, IEnumerable<string> fields) => Csv.Line(sb, fields);

    private static string I(long value) => Csv.Number(value);

    private static string D(double value) => Csv.Number(value);
}
