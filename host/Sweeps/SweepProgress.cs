using System.Diagnostics;
using Emu.Host.Cli;
using Spectre.Console;

namespace Emu.Host.Sweeps;

/// <summary>
/// Shows a sweep's progress: a live bar (points done, ETA) on a terminal, one plain line per finished point
/// when the output is redirected or captured.
/// </summary>
internal static class SweepProgress
{
    public static T Run<T>(HostEnvironment env, int total, Func<Action<PointResult, TimeSpan>, T> run)
    {
        bool terminal = ReferenceEquals(env.Out, Console.Out) && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;
        if (terminal)
        {
            T results = default!;
            AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new ElapsedTimeColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask($"{total} points", maxValue: total);
                    results = run((_, _) => task.Increment(1));
                });
            return results;
        }

        var wall = Stopwatch.StartNew();
        int done = 0;
        var gate = new object();
        return run((p, took) =>
        {
            lock (gate)
            {
                done++;
                var eta = TimeSpan.FromSeconds(wall.Elapsed.TotalSeconds / done * (total - done));
                env.Error.WriteLine($"[{done}/{total}] {SweepRunner.Describe(p.Point)} done in {took.TotalSeconds:0.00} s; ETA {eta:hh\\:mm\\:ss}");
            }
        });
    }
}
