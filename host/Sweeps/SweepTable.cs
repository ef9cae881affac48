using System.Globalization;
using System.Text.Json.Nodes;
using Emu.Host.Output;
using Spectre.Console;

namespace Emu.Host.Sweeps;

/// <summary>The table a sweep prints: per combination, the headline totals as mean ± 95% CI; then strict / non-strict.</summary>
internal static class SweepTable
{
    private static readonly (string Metric, string Label)[] Headline =
    {
        ("totals.vmExits.total", "VM exits"),
        ("totals.vmExits.avicIncompleteIpi.targetNotRunning", "TNR exits"),
        ("totals.doorbells.spuriousOnForeignTask", "spurious on foreign"),
        ("totals.stolenNsOnForeignTasks", "stolen ns"),
        ("totals.ipiLatencyNs.p99", "IPI p99 ns"),
        ("totals.lostWakeups", "lost wake-ups"),
    };

    /// <summary>Shown when the sweep's runs had device interrupts.</summary>
    private static readonly (string Metric, string Label)[] DeviceHeadline =
    {
        ("totals.deviceInterrupts.spuriousOnForeignTask", "device doorbells on foreign"),
        ("totals.deviceInterrupts.latencyNs.p99", "device p99 ns"),
    };

    public static void Write(TextWriter writer, SweepPlan plan, JsonObject aggregate)
    {
        bool devices = aggregate["combinations"]!.AsArray().Any(c => c!["metrics"]?["totals.deviceInterrupts.sent"] is { } m && (double)m["mean"]! > 0);
        var headline = devices ? Headline.Concat(DeviceHeadline).ToArray() : Headline;
        var table = new Table().Border(TableBorder.Simple);
        foreach (var a in plan.Axes)
        {
            table.AddColumn(Markup.Escape(a.Key));
        }

        table.AddColumn(new TableColumn("runs").RightAligned());
        foreach (var (_, label) in headline)
        {
            table.AddColumn(new TableColumn(Markup.Escape(label)).RightAligned());
        }

        foreach (var c in aggregate["combinations"]!.AsArray())
        {
            var cells = plan.Axes.Select(a => Markup.Escape((string)c!["values"]![a.Key]!)).ToList();
            cells.Add(((int)c!["runs"]!).ToString(CultureInfo.InvariantCulture));
            foreach (var (metric, _) in headline)
            {
                var m = c["metrics"]![metric];
                cells.Add(m is null ? "-" : Markup.Escape(m["ci95"] is { } ci ? $"{Num((double)m["mean"]!)} ± {Num((double)ci)}" : $"{Num((double)m["mean"]!)} (n=1)"));
            }

            table.AddRow(cells.ToArray());
        }

        var console = PlainConsole.Over(writer);
        console.Write(table);
        writer.WriteLine("Each cell: mean ± half-width of the 95% confidence interval over the runs (n=1: one run, no interval).");
        writer.WriteLine("TNR exits: AVIC_INCOMPLETE_IPI exits with cause TARGET_NOT_RUNNING; spurious on foreign: doorbells that hit a task of another VM or the host;");
        writer.WriteLine("stolen ns: pCPU time those doorbells took; p99: the 99th percentile (the maximum itself when a run has fewer than 100 samples).");
        foreach (var r in aggregate["strictOverNonStrict"]!.AsArray())
        {
            var others = r!["values"]!.AsObject().Select(kv => $"{kv.Key}={kv.Value}");
            var ratios = Headline.Take(3).Select(h => $"{h.Label} {Ratio(r["metrics"]![h.Metric])}");
            writer.WriteLine($"strict / non-strict{(others.Any() ? " at " + string.Join(", ", others) : string.Empty)}: {string.Join("; ", ratios)}");
        }
    }

    private static string Num(double v) => v.ToString(Math.Abs(v) >= 100 ? "N0" : "0.##", CultureInfo.InvariantCulture);

    private static string Ratio(JsonNode? v) => v is null ? "n/a (non-strict is 0)" : ((double)v).ToString("0.###", CultureInfo.InvariantCulture);
}
