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

    /// <summary>The device interrupts' charts, shown when any combination's runs raised one.</summary>
    public static readonly (string Metric, string Title)[] DeviceCharts =
    {
        ("totals.deviceInterrupts.doorbells", "Device interrupts: IOMMU doorbells"),
        ("totals.deviceInterrupts.spuriousOnForeignTask", "Device interrupts: doorbells on foreign tasks"),
        ("totals.deviceInterrupts.gaLogInterrupts", "Device interrupts: GA-log interrupts"),
        ("totals.deviceInterrupts.latencyNs.p99", "Device interrupt latency p99 (ns)"),
    };

    /// <summary>The charts of a sweep: the headline ones, and the device ones if any run had device interrupts.</summary>
    public static IReadOnlyList<(string Metric, string Title)> ChartsFor(JsonObject aggregate)
    {
        bool devices = aggregate["combinations"]!.AsArray().Any(c => c!["metrics"]?["totals.deviceInterrupts.sent"] is { } m && (double)m["mean"]! > 0);
        return devices ? Charts.Concat(DeviceCharts).ToList() : Charts;
    }

    /// <summary>Writes one PNG per chart into <paramref name="dir"/>; returns (file name, title) in chart order.</summary>
    public static List<(string File, string Title)> Write(string dir, SweepPlan plan, JsonObject aggregate)
    {
        Directory.CreateDirectory(dir);
        var combinations = aggregate["combinations"]!.AsArray();
        int strictAxis = plan.Axes.ToList().FindIndex(a => string.Equals(a.Key, SweepAggregate.StrictKey, StringComparison.OrdinalIgnoreCase));
        var labels = combinations.Select(c => Label(plan, c!).Replace(", ", "\n", StringComparison.Ordinal)).ToArray();
        var written = new List<(string, string)>();
        foreach (var (metric, title) in ChartsFor(aggregate))
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
            Output.AtomicFile.WriteAllBytes(Path.Combine(dir, file), plot.GetImageBytes(900, 500, ImageFormat.Png));
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
