using System.Runtime.CompilerServices;
using System.Globalization;
using System.Text;
using Emu.Core.Results;
using ScottPlot;

namespace Emu.Host.Output;

/// <summary>Simulation:SampleUs's samples: timeseries.csv (one row per interval) and timeseries.png (each count over time).</summary>
internal static class TimeSeriesOutput
{
    public const string CsvFile = "timeseries.csv";
    public const string PlotFile = "timeseries.png";

    private static readonly (string Column, string Label, Func<TimeSample, long> Value)[] Series =
    {
        ("vmExits", "VM exits", s => s.VmExits),
        ("doorbells", "doorbells", s => s.Doorbells),
        ("spuriousDoorbells", "spurious doorbells", s => s.SpuriousDoorbells),
        ("ipisSent", "IPIs sent", s => s.IpisSent),
        ("deviceInterrupts", "device interrupts", s => s.DeviceInterrupts),
        ("contextSwitches", "context switches", s => s.ContextSwitches),
    };

    /// <summary>Writes both files into <paramref name="dir"/>; returns their paths (none when there are no samples).</summary>
    public static IReadOnlyList<string> Write(string dir, IReadOnlyList<TimeSample> samples, long warmupNs)
    {
        if (samples.Count == 0)
        {
            return Array.Empty<string>();
        }

        var csv = new StringBuilder();
        Csv.Line(csv, new[] { "startNs", "endNs" }.Concat(Series.Select(s => s.Column)));
        foreach (var sample in samples)
        {
            Csv.Line(csv, new[] { Csv.Number(sample.StartNs), Csv.Number(sample.EndNs) }.Concat(Series.Select(s => Csv.Number(s.Value(sample)))));
        }

        string csvPath = Path.Combine(dir, CsvFile);
        AtomicFile.WriteAllText(csvPath, csv.ToString());
        return new[] { csvPath, WritePlot(dir, samples, warmupNs) };
    }

    /// <summary>The plot, in a method of its own: a run without samples never loads ScottPlot and SkiaSharp (issue 19).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static string WritePlot(string dir, IReadOnlyList<TimeSample> samples, long warmupNs)
    {
        var plot = new Plot();
        double[] xs = samples.Select(s => s.EndNs / 1e6).ToArray();
        foreach (var (_, label, value) in Series)
        {
            var line = plot.Add.Scatter(xs, samples.Select(s => (double)value(s)).ToArray());
            line.LegendText = label;
            line.MarkerSize = 0;
        }

        if (warmupNs > 0)
        {
            var end = plot.Add.VerticalLine(warmupNs / 1e6);
            end.LegendText = "end of warm-up (counts restart)";
        }

        long interval = samples[0].EndNs - samples[0].StartNs;
        plot.Title($"Per {(interval / 1e3).ToString("0.###", CultureInfo.InvariantCulture)} us interval ({samples.Count} intervals)");
        plot.XLabel("simulated time (ms)");
        plot.YLabel("count in the interval");
        plot.ShowLegend(Edge.Right);
        string plotPath = Path.Combine(dir, PlotFile);
        AtomicFile.WriteAllBytes(plotPath, plot.GetImageBytes(900, 500, ImageFormat.Png));
        return plotPath;
    }
}
