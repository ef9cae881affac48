using Emu.Core.Results;
using System.Globalization;
using Emu.Host.Cli;

namespace Emu.Host.Sweeps;

/// <summary>
/// Runs a sweep (or one shard) into its folder: checks the folder, writes sweep.json, runs the points not yet
/// there and writes each as it finishes, then the summary. An interruption keeps the finished points for --resume.
/// </summary>
internal static class SweepJob
{
    /// <summary>128 + SIGINT: the shells' code for a command stopped by Ctrl-C.</summary>
    public const int Interrupted = 130;

    public static int Run(
        HostEnvironment env, ScenarioSession session, SweepManifest manifest, string dir, SweepFolderMode mode, int jobs, CancellationToken cancel)
    {
        var plan = manifest.Plan;
        var kept = SweepFolder.Prepare(dir, manifest, mode, env.CurrentDirectory);
        EnsureWritable(dir);
        var owned = plan.Points(manifest.Shard).ToList();
        var have = kept.Select(p => p.Point.Index).ToHashSet();
        var missing = owned.Where(p => !have.Contains(p.Index)).ToList();
        env.Error.WriteLine($"sweep: {plan.Combinations} combination(s) x {plan.Replications} replication(s) = {plan.PointCount} point(s); shard {manifest.Shard} runs {owned.Count} on {jobs} job(s)");
        if (mode == SweepFolderMode.Resume)
        {
            env.Error.WriteLine($"resume: {kept.Count} of {owned.Count} point(s) already in {dir}; running the {missing.Count} missing");
        }

        SweepOutput.WriteManifest(dir, manifest, Producer.Of(session.Plugins.Select(p => p.Plugin)));
        var wall = System.Diagnostics.Stopwatch.StartNew();
        var writer = new PointWriter(dir);
        SweepRun run;
        try
        {
            run = SweepProgress.Run(env, missing.Count, done => SweepRunner.Run(session, missing, jobs, cancel, (point, took) =>
            {
                writer.Post(point);
                done(point, took);
            }));
        }
        finally
        {
            writer.Complete();
        }

        var results = kept.Concat(run.Finished).OrderBy(p => p.Point.Index).ToList();
        if (run.Cancelled)
        {
            env.Error.WriteLine($"interrupted: kept {results.Count} of {owned.Count} point(s) in {Path.Combine(dir, "points")}; run the same command with --resume to finish");
            return Interrupted;
        }

        double seconds = wall.Elapsed.TotalSeconds;
        env.Error.WriteLine(string.Create(
            CultureInfo.InvariantCulture, $"ran {missing.Count} point(s) in {seconds:0.00} s: {missing.Count / Math.Max(seconds, 1e-9):0.0} points/s with {jobs} job(s)"));
        return SweepFinish.Write(env, dir, manifest, results);
    }

    /// <summary>Fails before any run, naming the folder, if the results could not be written there.</summary>
    private static void EnsureWritable(string dir)
    {
        try
        {
            Directory.CreateDirectory(dir);
            string probe = Path.Combine(dir, ".emu-write-test");
            File.WriteAllText(probe, string.Empty);
            File.Delete(probe);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new Core.Configuration.EmuConfigurationException($"--out {dir}: cannot write there: {ex.Message}");
        }
    }
}
