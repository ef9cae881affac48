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
        ("totals.stolenNsOnForeignTasks", "Time stolen from foreign tasks"),
        ("totals.ipiLatencyNs.p99", "IPI latency p99"),
        ("totals.lostWakeups", "Lost wake-ups"),
    };

    /// <summary>The device interrupts' charts, shown when any combination's runs raised one.</summary>
    public static readonly (string Metric, string Title)[] DeviceCharts =
    {
        ("totals.deviceInterrupts.doorbells", "Device interrupts: IOMMU doorbells"),
        ("totals.deviceInterrupts.spuriousOnForeignTask", "Device interrupts: doorbells on foreign tasks"),
        ("totals.deviceInterrupts.gaLogInterrupts", "Device interrupts: GA-log interrupts"),
        ("totals.deviceInterrupts.latencyNs.p99", "Device interrupt latency p99"),
    };

    /// <summary>The charts of a sweep: the headline ones, and the device ones if any run had device interrupts.</summary>
    public static IReadOnlyList<(string Metric, string Title)> ChartsFor(JsonObject aggregate)
    {
        bool devices = aggregate["combinations"]!.AsArray().Any(c => c!["metrics"]?["totals.deviceInterrupts.sent"] is { } m && (double)m["mean"]! > 0);
        return devices ? Charts.Concat(DeviceCharts).ToList() : Charts;
    }

    /// <summary>
    /// Writes one PNG per chart into <paramref name="dir"/>; returns (file name, title) in chart order. Each bar is a
    /// combination's mean; its whisker the 95% interval, cut at zero (no total is negative) and left out for one run;
    /// above six combinations the bars lie horizontally so their labels never overlap; durations are scaled to
    /// ns, µs or ms; a legend says which colour is strict and the caption how many runs each bar is.
    /// </summary>
    public static List<(string File, string Title)> Write(string dir, SweepPlan plan, JsonObject aggregate)
    {
        Directory.CreateDirectory(dir);
        var combinations = aggregate["combinations"]!.AsArray();
        int strictAxis = plan.Axes.ToList().FindIndex(a => string.Equals(a.Key, SweepAggregate.StrictKey, StringComparison.OrdinalIgnoreCase));
        bool horizontal = combinations.Count > 6;
        var labels = combinations.Select(c => Label(plan, c!).Replace(", ", horizontal ? ", " : "\n", StringComparison.Ordinal)).ToArray();
        int runs = combinations.Count == 0 ? 0 : combinations.Min(c => (int)c!["runs"]!);
        var written = new List<(string, string)>();
        foreach (var (metric, title) in ChartsFor(aggregate))
        {
            var plot = new Plot();
            var means = combinations.Select(c => c!["metrics"]![metric] is { } m ? (double)m["mean"]! : double.NaN).ToArray();
            var (scale, unit) = UnitOf(metric, means.Where(v => !double.IsNaN(v)).DefaultIfEmpty(0).Max());
            var bars = new List<Bar>();
            double highest = 0;
            for (int i = 0; i < combinations.Count; i++)
            {
                var m = combinations[i]!["metrics"]![metric];
                if (m is null)
                {
                    continue;
                }

                bool nonStrict = strictAxis >= 0 && string.Equals((string)combinations[i]!["values"]![plan.Axes[strictAxis].Key]!, "false", StringComparison.OrdinalIgnoreCase);
                double mean = (double)m["mean"]! / scale;
                bars.Add(new Bar { Position = i, Value = mean, FillColor = nonStrict ? Colors.DarkOrange : Colors.SteelBlue });
                highest = Math.Max(highest, mean);
                if (m["ci95"] is { } ci)
                {
                    var (low, high) = Bounds(mean, (double)ci / scale);
                    Whisker(plot, i, low, high, horizontal);
                    highest = Math.Max(highest, high);
                }
            }

            var barPlot = plot.Add.Bars(bars);
            barPlot.Horizontal = horizontal;
            var ticks = Enumerable.Range(0, labels.Length).Select(i => (double)i).ToArray();
            if (horizontal)
            {
                plot.Axes.Left.SetTicks(ticks, labels);
                plot.Axes.Margins(left: 0);
                plot.XLabel($"mean{unit}, 95% CI");
            }
            else
            {
                plot.Axes.Bottom.SetTicks(ticks, labels);
                plot.Axes.Margins(bottom: 0);
                plot.YLabel($"mean{unit}, 95% CI");
            }

            plot.Title(title);
            string caption = runs < 2 ? $"{runs} run per bar: no interval" : $"{runs} runs per bar";
            var legend = new List<LegendItem>();
            if (strictAxis >= 0)
            {
                legend.Add(new LegendItem { LabelText = "strict", FillColor = Colors.SteelBlue });
                legend.Add(new LegendItem { LabelText = "non-strict", FillColor = Colors.DarkOrange });
            }

            legend.Add(new LegendItem { LabelText = caption });
            plot.Legend.ManualItems.AddRange(legend);
            plot.ShowLegend(Edge.Right); // beside the plot, never over a bar

            // The value axis starts at zero (no total is negative) and an all-zero chart does not pretend to span -1..1.
            double upper = Math.Max(highest, 0);
            upper = upper == 0 ? 1 : upper * 1.08;
            if (horizontal)
            {
                plot.Axes.SetLimitsX(0, upper);
            }
            else
            {
                plot.Axes.SetLimitsY(0, upper);
            }

            int height = horizontal ? Math.Max(500, 60 + (28 * combinations.Count)) : 500;
            string file = metric.Replace("totals.", string.Empty, StringComparison.Ordinal).Replace('.', '-') + ".png";
            Output.AtomicFile.WriteAllBytes(Path.Combine(dir, file), plot.GetImageBytes(900, height, ImageFormat.Png));
            written.Add((file, title));
        }

        return written;
    }

    /// <summary>A mean's 95% interval cut at zero: every total is a count or a duration.</summary>
    public static (double Low, double High) Bounds(double mean, double halfWidth) => (Math.Max(0, mean - halfWidth), mean + halfWidth);

    /// <summary>An interval's whisker from <paramref name="low"/> to <paramref name="high"/> at bar <paramref name="position"/>, with caps.</summary>
    private static void Whisker(Plot plot, double position, double low, double high, bool horizontal)
    {
        const double Cap = 0.15;
        void Line(double x1, double y1, double x2, double y2)
        {
            var line = horizontal ? plot.Add.Line(y1, x1, y2, x2) : plot.Add.Line(x1, y1, x2, y2);
            line.LineColor = Colors.Black;
            line.LineWidth = 1.5f;
            line.MarkerSize = 0;
        }

        Line(position, low, position, high);
        Line(position - Cap, low, position + Cap, low);
        Line(position - Cap, high, position + Cap, high);
    }

    /// <summary>A duration metric (…Ns, a latency percentile) in the unit that reads best; counts stay as they are.</summary>
    public static (double Scale, string Unit) UnitOf(string metric, double max)
    {
        bool nanoseconds = System.Text.RegularExpressions.Regex.IsMatch(metric, "Ns([A-Z.]|$)"); // stolenNs, stolenNsOnForeignTasks, ipiLatencyNs.p99
        if (!nanoseconds)
        {
            return (1, string.Empty);
        }

        return max switch
        {
            >= 10_000_000 => (1e6, " (ms)"),
            >= 10_000 => (1e3, " (µs)"),
            _ => (1, " (ns)"),
        };
    }

    /// <summary>A combination's label: its values joined, e.g. "strict, PerCpu=1".</summary>
    public static string Label(SweepPlan plan, JsonNode combination)
    {
        if (plan.Axes.Count == 0)
        {
            return "base";
        }

        return string.Join(", ", plan.Axes.Select(a => Part(a.Key, (string)combination["values"]![a.Key]!)));
    }

    /// <summary>"PerCpu=1"; the doorbell mode reads as what it is: "strict", "non-strict".</summary>
    private static string Part(string key, string value) =>
        string.Equals(key, SweepAggregate.StrictKey, StringComparison.OrdinalIgnoreCase) && bool.TryParse(value, out bool strict)
            ? (strict ? "strict" : "non-strict")
            : $"{key[(key.LastIndexOf(':') + 1)..]}={value}";

    public static string Format(double value) =>
        value.ToString(Math.Abs(value) >= 100 ? "N0" : "0.###", CultureInfo.InvariantCulture);
}
