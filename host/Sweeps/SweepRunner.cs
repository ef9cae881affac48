using System.Diagnostics;
using Emu.Core.Configuration;
using Emu.Host.Cli;
using Emu.Host.Output;

namespace Emu.Host.Sweeps;

/// <summary>
/// Runs a sweep's points in parallel, one simulation per thread (a run is single-threaded and shares nothing
/// but the plugin instances, whose ConfigureServices only registers). Results land by point index, so the
/// order in which runs finish never reaches the output.
/// </summary>
internal static class SweepRunner
{
    /// <summary>Checks every combination before anything runs, so a bad --vary value fails fast with exit 2.</summary>
    public static void Validate(ScenarioSession session, SweepPlan plan)
    {
        var errors = new List<string>();
        for (int c = 0; c < plan.Combinations; c++)
        {
            var point = plan.Point(c * plan.Replications);
            foreach (string e in Builder(session, point).Validate())
            {
                string message = $"{Describe(point)}: {e}";
                if (!errors.Contains(message))
                {
                    errors.Add(message);
                }
            }
        }

        if (errors.Count > 0)
        {
            throw new EmuConfigurationException(errors);
        }
    }

    /// <summary>
    /// Runs the points; <paramref name="done"/> sees each as it finishes (on its worker thread). Once
    /// <paramref name="cancel"/> fires, no further point starts; the ones running finish and are returned with the rest.
    /// </summary>
    public static SweepRun Run(ScenarioSession session, IReadOnlyList<SweepPoint> points, int jobs, CancellationToken cancel, Action<PointResult, TimeSpan> done)
    {
        var results = new PointResult?[points.Count];
        var options = new ParallelOptions { MaxDegreeOfParallelism = jobs, CancellationToken = cancel };
        try
        {
            Parallel.For(0, points.Count, options, i =>
            {
                var wall = Stopwatch.StartNew();
                using var simulation = Builder(session, points[i]).Build();
                var result = simulation.Run() with { WallSeconds = Math.Round(wall.Elapsed.TotalSeconds, 3) };
                var finished = new PointResult(points[i], result, ResultMetrics.Totals(result));
                done(finished, wall.Elapsed);
                results[i] = finished;
            });
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            // Parallel.For has waited for the points that were running: what finished is in results.
        }

        var ran = results.OfType<PointResult>().ToList();
        return new SweepRun(ran, Cancelled: ran.Count < points.Count);
    }

    public static string Describe(SweepPoint point) =>
        $"point {point.Index} ({string.Join(", ", point.Values.Select(v => $"{v.Key}={v.Value}"))}, seed {point.Seed})";

    private static Core.Building.EmuBuilder Builder(ScenarioSession session, SweepPoint point)
    {
        var builder = session.CreateBuilder();
        foreach (var (key, value) in point.Values)
        {
            builder.Set(key, value);
        }

        return builder.Set("Simulation:Seed", point.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}
