using Emu.Host.Cli;

namespace Emu.Host.Sweeps;

/// <summary>
/// Writes a sweep's (or a merge's) summary files beside its points and prints its aggregate; the exit code says
/// whether every run completed.
/// </summary>
internal static class SweepFinish
{
    public static int Write(HostEnvironment env, string dir, SweepManifest manifest, IReadOnlyList<PointResult> results)
    {
        SweepOutput.WriteSummary(dir, manifest, results);
        if (results.Count == manifest.Plan.PointCount)
        {
            SweepTable.Write(env.Out, manifest.Plan, SweepAggregate.Build(manifest.Plan, results));
        }
        else
        {
            env.Error.WriteLine($"shard {manifest.Shard}: {results.Count} of {manifest.Plan.PointCount} points; combine the shards with `emu merge`");
        }

        env.Error.WriteLine($"sweep: {dir}");
        var failed = results.Where(r => !r.Result.Completed).OrderBy(r => r.Point.Index).ToList();
        foreach (var f in failed)
        {
            env.Error.WriteLine($"error: {SweepRunner.Describe(f.Point)} stopped early: {f.Result.Failure}");
        }

        return failed.Count == 0 ? ExitCodes.Success : ExitCodes.RunFailed;
    }
}
