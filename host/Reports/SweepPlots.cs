using System.Globalization;
using System.Text.Json.Nodes;
using Emu.Host.Sweeps;
using ScottPlot;

namespace Emu.Host.Reports;

/// <summary>
/// PNG bar charts (ScottPlot) of the headline totals across a sweep's combinations: mean with the 95% CI as
/// error bars, strict and non-strict in two colours when Svm:AvicDoorbellStrict is varied.
/// </summary>
internal static class SweepPlots
{
    public static readonly (string Metric, string Title)[] Charts =
    {
        ("totals.vmExits.total", "VM exits"),
        ("totals.vmExits.avicIncompleteIpi.targetNotRunning", "AVIC_INCOMPLETE_IPI exits, target not running"),
        ("totals.doorbells.spurious", "Spurious doorbells"),
        ("totals.doorbells.spuriousOnForeignTask", "Spurious doorbells on foreign tasks"),
        ("totals.stolenNsOnForeignTasks", "Time stolen from foreign tasks (ns)"),
        ("totals.ipiLatencyNs.p99", "IPI latency p99 (ns)"),
        ("totals.lostWakeups", "Lost wake-ups"),
    };

    /// <summary>Writes one PNG per chart into <paramref name="dir"/>; returns (file name, title) in chart order.</summary>
    public static List<(string File, string Title)> Write(string dir, SweepPlan plan, JsonObject aggregate)
    {
        Directory.CreateDirectory(dir);
        var combinations = aggregate["combinations"]!.AsArray();
        int strictAxis = plan.Axes.ToList().FindIndex(a => string.Equals(a.Key, SweepAggregate.StrictKey, StringComparison.OrdinalIgnoreCase));
        var labels = combinations.Select(c => Label(plan, c!).Replace(", ", "\n", StringComparison.Ordinal)).ToArray();
        var written = new List<(string, string)>();
        foreach (var (metric, title) in Charts)
        {
            var plot = new Plot();
            var bars = new List<Bar>();
            for (int i = 0; i < combinations.Count; i++)
            {
                var m = combinations[i]!["metrics"]![metric];
                if (m is null)
                {
                    continue;
                }

                bool nonStrict = strictAxis >= 0 && string.Equals((string)combinations[i]!["values"]![plan.Axes[strictAxis].Key]!, "false", StringComparison.OrdinalIgnoreCase);
                bars.Add(new Bar
                {
                    Position = i,
                    Value = (double)m["mean"]!,
                    Error = (double)m["ci95"]!,
                    FillColor = nonStrict ? Colors.DarkOrange : Colors.SteelBlue,
                });
            }

            plot.Add.Bars(bars);
            plot.Axes.Bottom.SetTicks(Enumerable.Range(0, labels.Length).Select(i => (double)i).ToArray(), labels);
            plot.Axes.Margins(bottom: 0);
            plot.Title(title);
            plot.YLabel("mean, 95% CI");
            string file = metric.Replace("totals.", string.Empty, StringComparison.Ordinal).Replace('.', '-') + ".png";
            plot.SavePng(Path.Combine(dir, file), 900, 500);
            written.Add((file, title));
        }

        return written;
    }

    /// <summary>A combination's label: its values joined, e.g. "strict=true, PerCpu=1".</summary>
    public static string Label(SweepPlan plan, JsonNode combination)
    {
        if (plan.Axes.Count == 0)
        {
            return "base";
        }

        return string.Join(", ", plan.Axes.Select(a => $"{a.Key[(a.Key.LastIndexOf(':') + 1)..]}={(string)combination["values"]![a.Key]!}"));
    }

    public static string Format(double value) =>
        value.ToString(Math.Abs(value) >= 100 ? "N0" : "0.###", CultureInfo.InvariantCulture);
}
