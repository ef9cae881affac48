using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Emu.Host.Output;
using Emu.Host.Sweeps;

namespace Emu.Host.Reports;

/// <summary>
/// report.html: one self-contained page (plots inlined as data URIs, no scripts, no external files) with the
/// sweep's definition, the aggregate table, the strict / non-strict ratios and the plots. Written as
/// well-formed XHTML so that it can be checked with an XML parser as well as in a browser.
/// </summary>
internal static class SweepReport
{
    public const string FileName = "report.html";

    public static void Write(string dir, SweepPlan plan, JsonObject aggregate, IReadOnlyList<(string File, string Title)> plots, string plotDir)
    {
        var charts = SweepPlots.ChartsFor(aggregate);
        var h = new StringBuilder();
        h.Append("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n<meta charset=\"utf-8\" />\n")
         .Append("<title>Emu sweep report</title>\n<style>")
         .Append("body{font-family:system-ui,sans-serif;margin:2em;max-width:1200px}table{border-collapse:collapse;margin:1em 0;display:block;overflow-x:auto;max-width:100%}")
         .Append("th,td{border:1px solid #ccc;padding:4px 8px;text-align:right}td{white-space:nowrap}th{background:#f3f3f3}td.k{text-align:left}")
         .Append("img{max-width:100%;border:1px solid #eee;margin:0.5em 0}")
         .Append("</style>\n</head>\n<body>\n<h1>Emu sweep report</h1>\n");

        h.Append("<p>").Append(E($"{plan.Combinations} combination(s) x {plan.Replications} replication(s) = {plan.PointCount} run(s); base seed {plan.BaseSeed}. "))
         .Append(E("Each cell is the mean over replications with the half-width of its 95% confidence interval (Student's t)."))
         .Append("</p>\n<ul>\n");
        foreach (var a in plan.Axes)
        {
            h.Append("<li><code>").Append(E(a.Key)).Append("</code>: ").Append(E(string.Join(", ", a.Values))).Append("</li>\n");
        }

        h.Append("</ul>\n<h2>Totals</h2>\n<table>\n<tr>");
        foreach (var a in plan.Axes)
        {
            h.Append("<th>").Append(E(a.Key)).Append("</th>");
        }

        h.Append("<th>runs</th>");
        // Durations in the unit that reads best for the column (the same as its plot's).
        var units = charts.Select(ch => SweepPlots.UnitOf(ch.Metric, aggregate["combinations"]!.AsArray()
            .Select(c => c!["metrics"]![ch.Metric] is { } m ? (double)m["mean"]! : 0).DefaultIfEmpty(0).Max())).ToList();
        for (int i = 0; i < charts.Count; i++)
        {
            h.Append("<th>").Append(E(charts[i].Title + units[i].Unit)).Append("</th>");
        }

        h.Append("</tr>\n");
        foreach (var c in aggregate["combinations"]!.AsArray())
        {
            h.Append("<tr>");
            foreach (var a in plan.Axes)
            {
                h.Append("<td class=\"k\">").Append(E((string)c!["values"]![a.Key]!)).Append("</td>");
            }

            h.Append("<td>").Append(((int)c!["runs"]!).ToString(CultureInfo.InvariantCulture)).Append("</td>");
            for (int i = 0; i < charts.Count; i++)
            {
                var m = c["metrics"]![charts[i].Metric];
                double scale = units[i].Scale;
                string cell = m is null ? "-" : m["ci95"] is { } ci ? $"{SweepPlots.Format((double)m["mean"]! / scale)} ± {SweepPlots.Format((double)ci / scale)}" : $"{SweepPlots.Format((double)m["mean"]! / scale)} (1 run: no interval)";
                h.Append("<td>").Append(E(cell)).Append("</td>");
            }

            h.Append("</tr>\n");
        }

        h.Append("</table>\n");
        ExitReport(h, plan, aggregate);
        Ratios(h, aggregate, charts);
        h.Append("<h2>Plots</h2>\n");
        foreach (var (file, title) in plots)
        {
            string data = Convert.ToBase64String(File.ReadAllBytes(Path.Combine(plotDir, file)));
            h.Append("<img alt=\"").Append(E(title)).Append("\" src=\"data:image/png;base64,").Append(data).Append("\" />\n");
        }

        if (aggregate["producer"] is JsonObject producer)
        {
            var plugins = producer["plugins"]!.AsArray().Select(p => $"{p!["name"]} {p["version"]} (contract {p["contractVersion"]}, SHA-256 {((string?)p["sha256"])?[..12] ?? "n/a"})");
            h.Append("<p>").Append(E($"Produced by Emu {producer["emu"]}{(producer["commit"] is { } c ? $" (commit {((string)c!)[..Math.Min(12, ((string)c!).Length)]})" : string.Empty)} on {producer["runtime"]}, {producer["os"]}; plugins: {string.Join(", ", plugins)}."))
             .Append("</p>\n");
        }

        h.Append("<p>Data: <code>sweep.csv</code> (one row per run), <code>aggregate.csv</code> and <code>aggregate.json</code> (one row per combination).</p>\n</body>\n</html>\n");
        AtomicFile.WriteAllText(Path.Combine(dir, FileName), h.ToString());
    }

    private static void Ratios(StringBuilder h, JsonObject aggregate, IReadOnlyList<(string Metric, string Title)> charts)
    {
        var ratios = aggregate["strictOverNonStrict"]!.AsArray();
        if (ratios.Count == 0)
        {
            return;
        }

        h.Append("<h2>Strict / non-strict</h2>\n<p>").Append(E("Ratio of the means, strict over non-strict, for otherwise equal settings; n/a where non-strict's mean is 0."))
         .Append("</p>\n<table>\n<tr><th>settings</th>");
        foreach (var (_, title) in charts)
        {
            h.Append("<th>").Append(E(title)).Append("</th>");
        }

        h.Append("</tr>\n");
        foreach (var r in ratios)
        {
            var others = r!["values"]!.AsObject().Select(kv => $"{kv.Key}={kv.Value}");
            h.Append("<tr><td class=\"k\">").Append(E(others.Any() ? string.Join(", ", others) : "all")).Append("</td>");
            foreach (var (metric, _) in charts)
            {
                var v = r["metrics"]![metric];
                h.Append("<td>").Append(v is null ? "n/a" : E(((double)v).ToString("0.###", CultureInfo.InvariantCulture))).Append("</td>");
            }

            h.Append("</tr>\n");
        }

        h.Append("</table>\n");
    }

    /// <summary>Per combination, VM exits by KVM's reason as perf kvm stat lists them: mean count, share of exit time, mean time.</summary>
    private static void ExitReport(StringBuilder h, SweepPlan plan, JsonObject aggregate)
    {
        h.Append("<h2>VM exits by reason</h2>\n<p>").Append(E("As perf kvm stat reports them (KVM's exit names): exits per run, their share of all exit time, and the mean time from the exit to the next VMRUN; means over the replications."))
         .Append("</p>\n<table>\n<tr><th>settings</th><th>reason</th><th>exits</th><th>time %</th><th>mean time</th></tr>\n");
        foreach (var c in aggregate["combinations"]!.AsArray())
        {
            string settings = SweepPlots.Label(plan, c!);
            foreach (var e in c!["exitStats"]?.AsArray() ?? new JsonArray())
            {
                h.Append("<tr><td class=\"k\">").Append(E(settings)).Append("</td><td class=\"k\">").Append(E((string)e!["reason"]!)).Append("</td><td>")
                 .Append(E(SweepPlots.Format((double)e["count"]!))).Append("</td><td>")
                 .Append(E(((double)e["timeShare"]! * 100).ToString("0.0", CultureInfo.InvariantCulture))).Append("</td><td>")
                 .Append(E(Output.SummaryTable.Time((long)(double)e["meanNs"]!))).Append("</td></tr>\n");
            }
        }

        h.Append("</table>\n");
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
