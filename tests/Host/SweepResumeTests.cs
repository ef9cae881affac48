using Emu.Host.Cli;
using Emu.Host.Sweeps;

namespace Emu.Tests.Host;

/// <summary>Issue 17 item 4: points written as they finish, --resume, --force, and the folders a sweep or merge refuses.</summary>
public class SweepResumeTests
{
    private static readonly string[] Small =
    {
        "--set", "Simulation:DurationUs=1000", "--set", "Vms:0:Vcpus=4", "--set", "Topology:CoresPerSocket=2",
        "--vary", "Svm:AvicDoorbellStrict=true,false", "--vary", "HostTasks:PerCpu=0,1", "--replications", "2",
    };

    private static readonly string[] Summary = { "sweep.csv", "aggregate.json", "aggregate.csv", "report.html" };

    [Test]
    public void Resume_RunsOnlyTheMissingPoints_AndWritesWhatAnUninterruptedSweepWrites()
    {
        using var cli = new Cli();
        string whole = Path.Combine(cli.WorkDir, "whole"), cut = Path.Combine(cli.WorkDir, "cut");
        Assert.That(Sweep(cli, whole).Code, Is.EqualTo(0));
        Assert.That(Sweep(cli, cut).Code, Is.EqualTo(0));

        // An interruption after 5 of 8 points: 3 point files and every summary file missing, a crash's temporary file left.
        foreach (int i in new[] { 1, 4, 6 })
        {
            File.Delete(SweepManifest.PointFile(cut, i));
        }

        foreach (string file in Summary)
        {
            File.Delete(Path.Combine(cut, file));
        }

        Directory.Delete(Path.Combine(cut, "plots"), recursive: true);
        File.WriteAllText(Path.Combine(cut, "points", ".000001.json.4242.tmp"), "{ half a resu");
        var kept = Directory.GetFiles(Path.Combine(cut, "points")).ToDictionary(f => f, File.GetLastWriteTimeUtc);

        var (code, stdout, stderr) = Sweep(cli, cut, "--resume");
        Assert.That(code, Is.EqualTo(0), stderr);
        Assert.That(stderr, Does.Contain("resume: 5 of 8 point(s) already in " + cut + "; running the 3 missing").And.Contain("ran 3 point(s)"));
        Assert.That(Directory.GetFiles(Path.Combine(cut, "points"), ".*"), Is.Empty, "the crash's temporary file is gone");
        foreach (var (file, time) in kept.Where(k => !Path.GetFileName(k.Key).StartsWith('.')))
        {
            Assert.That(File.GetLastWriteTimeUtc(file), Is.EqualTo(time), $"{file} was kept, not run again");
        }

        // sweep.csv has no wall-clock column (wallSeconds is not a total), so the files match byte for byte.
        Assert.That(File.ReadAllText(Path.Combine(whole, "sweep.csv")), Does.Not.Contain("wall"));
        foreach (string file in new[] { "sweep.csv", "aggregate.json", "aggregate.csv" })
        {
            Assert.That(File.ReadAllBytes(Path.Combine(cut, file)), Is.EqualTo(File.ReadAllBytes(Path.Combine(whole, file))), file);
        }

        Assert.That(File.Exists(Path.Combine(cut, "report.html")), Is.True);
        Assert.That(Directory.GetFiles(Path.Combine(cut, "points")), Has.Length.EqualTo(8));

        // Resuming a finished sweep runs nothing and rewrites the same summary.
        (code, _, var again) = Sweep(cli, cut, "--resume");
        Assert.That(code, Is.EqualTo(0));
        Assert.That(again, Does.Contain("running the 0 missing"));
        Assert.That(File.ReadAllBytes(Path.Combine(cut, "sweep.csv")), Is.EqualTo(File.ReadAllBytes(Path.Combine(whole, "sweep.csv"))));
    }

    [Test]
    public void Resume_OfAShard_FinishesThatShard_AndMergesAsUsual()
    {
        using var cli = new Cli();
        string whole = Path.Combine(cli.WorkDir, "whole"), s0 = Path.Combine(cli.WorkDir, "s0"), s1 = Path.Combine(cli.WorkDir, "s1");
        Assert.That(Sweep(cli, whole).Code, Is.EqualTo(0));
        Assert.That(Sweep(cli, s0, "--shard", "0/2").Code, Is.EqualTo(0));
        Assert.That(Sweep(cli, s1, "--shard", "1/2").Code, Is.EqualTo(0));
        File.Delete(SweepManifest.PointFile(s1, 3));
        var (code, stdout, stderr) = Sweep(cli, s1, "--shard", "1/2", "--resume");
        Assert.That(code, Is.EqualTo(0), stderr);
        Assert.That(stderr, Does.Contain("3 of 4 point(s) already in"));

        string merged = Path.Combine(cli.WorkDir, "merged");
        Assert.That(cli.Run("merge", s0, s1, "--out", merged).Code, Is.EqualTo(0));
        Assert.That(File.ReadAllText(Path.Combine(merged, "sweep.csv")), Is.EqualTo(File.ReadAllText(Path.Combine(whole, "sweep.csv"))));

        // Shard 0's folder is not shard 1's sweep.
        (code, _, stderr) = Sweep(cli, s0, "--shard", "1/2", "--resume");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain($"--out {s0}: holds a different sweep (it is shard 0/2, this is shard 1/2)"));
    }

    [Test]
    public void Runner_StopsStartingPointsWhenCancelled_AndReturnsTheFinishedOnes()
    {
        using var cli = new Cli();
        var env = new HostEnvironment(TextWriter.Null, TextWriter.Null, Cli.HostDir, cli.WorkDir);
        var session = ScenarioSession.Open(env, null, new[] { "Simulation:DurationUs=500" });
        var plan = new SweepPlan(new[] { SweepAxis.Parse("Svm:AvicDoorbellStrict=true,false") }, replications: 3, baseSeed: 1);
        var points = plan.Points(ShardSpec.Whole).ToList();
        using var cancel = new CancellationTokenSource();
        var seen = new List<int>();
        var run = SweepRunner.Run(session, points, jobs: 1, cancel.Token, (p, _) =>
        {
            seen.Add(p.Point.Index);
            if (seen.Count == 2)
            {
                cancel.Cancel(); // as Ctrl-C would, after two points
            }
        });
        Assert.That(run.Cancelled, Is.True);
        Assert.That(run.Finished.Select(p => p.Point.Index), Is.EqualTo(seen), "every point that finished is returned");
        Assert.That(run.Finished, Has.Count.EqualTo(2), "with one job, no point starts after the cancellation");
    }

    [Test]
    public void CancelledSweep_KeepsItsPoints_SaysHowToResume_AndExits130()
    {
        using var cli = new Cli();
        string dir = Path.Combine(cli.WorkDir, "sw");
        Assert.That(Sweep(cli, dir).Code, Is.EqualTo(0));
        File.Delete(SweepManifest.PointFile(dir, 2));
        File.Delete(Path.Combine(dir, "sweep.csv"));

        // The token System.CommandLine hands the action fires on Ctrl-C; here it already has.
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var env = new HostEnvironment(stdout, stderr, Cli.HostDir, cli.WorkDir);
        string[] sets = { "Simulation:DurationUs=1000", "Vms:0:Vcpus=4", "Topology:CoresPerSocket=2" };
        var session = ScenarioSession.Open(env, null, sets);
        var plan = new SweepPlan(new[] { SweepAxis.Parse("Svm:AvicDoorbellStrict=true,false"), SweepAxis.Parse("HostTasks:PerCpu=0,1") }, 2, new Emu.Core.Configuration.SimulationOptions().Seed);
        var manifest = new SweepManifest(plan, ShardSpec.Whole, Emu.Core.Results.ResultJson.ConfigurationToJson(session.Configuration));
        int code = SweepJob.Run(env, session, manifest, dir, SweepFolderMode.Resume, jobs: 2, new CancellationToken(canceled: true));

        Assert.That(code, Is.EqualTo(130));
        Assert.That(stderr.ToString(), Does.Contain("7 of 8 point(s) already in"), "the CLI's manifest and this one agree");
        Assert.That(stderr.ToString().Trim().Split('\n')[^1], Is.EqualTo($"interrupted: kept 7 of 8 point(s) in {Path.Combine(dir, "points")}; run the same command with --resume to finish"));
        Assert.That(File.Exists(SweepManifest.PointFile(dir, 2)), Is.False);
        Assert.That(File.Exists(Path.Combine(dir, "sweep.csv")), Is.False, "no summary of a partial sweep");
        Assert.That(Sweep(cli, dir, "--resume").Code, Is.EqualTo(0));
        Assert.That(File.Exists(SweepManifest.PointFile(dir, 2)), Is.True);
    }

    [Test]
    public void NonEmptyOut_IsRefused_UnlessResumeOrForce_AndForceClearsTheOldSweep()
    {
        using var cli = new Cli();
        string dir = Path.Combine(cli.WorkDir, "sw");
        Assert.That(Sweep(cli, dir).Code, Is.EqualTo(0));
        var before = Directory.GetFileSystemEntries(dir, "*", SearchOption.AllDirectories).Order().ToList();

        var (code, _, stderr) = Sweep(cli, dir);
        Assert.That((code, OneLine(stderr)), Is.EqualTo((2, $"error: --out {dir}: already holds this sweep (perhaps interrupted); add --resume to run only its missing points, or --force to start over")));
        (code, _, stderr) = Sweep(cli, dir, "--set", "Costs:VmExitNs=500");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(OneLine(stderr), Does.StartWith($"error: --out {dir}: holds a different sweep (its configuration hash is ").And.EndWith("use another --out, or --force to replace it"));
        (code, _, stderr) = Sweep(cli, dir, "--set", "Costs:VmExitNs=500", "--resume");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(OneLine(stderr), Does.StartWith($"error: --out {dir}: holds a different sweep (").And.EndWith("use another --out, or --force instead of --resume to replace it"));
        Assert.That(Directory.GetFileSystemEntries(dir, "*", SearchOption.AllDirectories).Order(), Is.EqualTo(before), "a refusal writes nothing");

        string other = Path.Combine(cli.WorkDir, "notes");
        Directory.CreateDirectory(other);
        File.WriteAllText(Path.Combine(other, "todo.txt"), "mine");
        (code, _, stderr) = Sweep(cli, other);
        Assert.That((code, OneLine(stderr)), Is.EqualTo((2, $"error: --out {other}: is not empty and holds no sweep; use another --out (--force clears only a sweep's folder)")));
        (code, _, stderr) = Sweep(cli, other, "--force");
        Assert.That((code, OneLine(stderr)), Is.EqualTo((2, $"error: --out {other}: --force clears only a folder that holds a sweep (sweep.json is missing); use another --out")));
        (code, _, stderr) = Sweep(cli, other, "--resume");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(OneLine(stderr), Does.StartWith($"error: --out {other}: --resume, but the folder holds no sweep"));
        Assert.That(File.Exists(Path.Combine(other, "todo.txt")), Is.True);
        (code, _, stderr) = Sweep(cli, dir, "--resume", "--force");
        Assert.That((code, OneLine(stderr)), Is.EqualTo((2, "error: --resume and --force: choose one (--resume keeps the finished points, --force deletes them)")));

        // --force: a sweep of one combination replaces one of four, with nothing of the old one left beside it.
        File.WriteAllText(Path.Combine(dir, "plots", "stale.png"), "old");
        (code, _, stderr) = cli.Run("sweep", "--out", dir, "--force", "--set", "Simulation:DurationUs=500");
        Assert.That(code, Is.EqualTo(0), stderr);
        Assert.That(Directory.GetFiles(Path.Combine(dir, "points")), Has.Length.EqualTo(1));
        Assert.That(File.Exists(Path.Combine(dir, "plots", "stale.png")), Is.False);
        Assert.That(File.ReadAllLines(Path.Combine(dir, "aggregate.csv")), Has.Length.EqualTo(2), "header and the one combination");
        Assert.That(File.ReadAllText(Path.Combine(dir, "report.html")), Does.Not.Contain("HostTasks:PerCpu"));

        // A partial shard into a folder that held a whole sweep: with --force, no stale aggregate or report stays.
        (code, _, stderr) = Sweep(cli, dir, "--shard", "0/2", "--force");
        Assert.That(code, Is.EqualTo(0), stderr);
        Assert.That(Directory.GetFileSystemEntries(dir).Select(Path.GetFileName).Order(), Is.EqualTo(new[] { "points", "sweep.csv", "sweep.json" }));
    }

    [Test]
    public void Force_RefusesToClearTheCurrentFolder()
    {
        using var cli = new Cli();
        File.WriteAllText(Path.Combine(cli.WorkDir, "keep.txt"), "mine");
        var (code, _, stderr) = cli.Run("sweep", "--out", ".", "--force", "--set", "Simulation:DurationUs=200");
        Assert.That((code, OneLine(stderr)), Is.EqualTo((2, $"error: --out {cli.WorkDir}: --force would delete the current folder's contents; use a folder of its own")));
        Assert.That(File.Exists(Path.Combine(cli.WorkDir, "keep.txt")), Is.True);
    }

    [Test]
    public void EmittedClusterJobs_Resume_SoARetriedTaskFinishesItsShard()
    {
        using var cli = new Cli();
        string slurm = Path.Combine(cli.WorkDir, "slurm"), k8s = Path.Combine(cli.WorkDir, "k8s"), fresh = Path.Combine(cli.WorkDir, "fresh");
        Assert.That(cli.Run(new[] { "sweep", "--emit", "slurm", "--shards", "2", "--out", slurm }.Concat(Small).ToArray()).Code, Is.EqualTo(0));
        Assert.That(cli.Run(new[] { "sweep", "--emit", "k8s", "--shards", "2", "--out", k8s }.Concat(Small).ToArray()).Code, Is.EqualTo(0));
        Assert.That(File.ReadAllText(Path.Combine(slurm, "sweep.sbatch")), Does.Contain("--replications 2 --resume"));
        Assert.That(File.ReadAllText(Path.Combine(k8s, "sweep-job.yaml")), Does.Contain("--replications 2 --resume"));

        // A first attempt: nothing to resume, so every point of the shard runs.
        var (code, stdout, stderr) = Sweep(cli, fresh, "--shard", "1/2", "--resume");
        Assert.That(code, Is.EqualTo(0), stderr);
        Assert.That(stderr, Does.Contain("0 of 4 point(s) already in").And.Contain("ran 4 point(s)"));
    }

    [Test]
    public void Merge_RefusesToWriteIntoAnInputShardFolder()
    {
        using var cli = new Cli();
        string s0 = Path.Combine(cli.WorkDir, "s0"), s1 = Path.Combine(cli.WorkDir, "s1");
        string[] tiny = { "--set", "Simulation:DurationUs=200", "--vary", "Svm:AvicDoorbellStrict=true,false" };
        Assert.That(cli.Run(new[] { "sweep", "--shard", "0/2", "--out", s0 }.Concat(tiny).ToArray()).Code, Is.EqualTo(0));
        Assert.That(cli.Run(new[] { "sweep", "--shard", "1/2", "--out", s1 }.Concat(tiny).ToArray()).Code, Is.EqualTo(0));
        var shard1 = Directory.GetFiles(s1, "*", SearchOption.AllDirectories).ToDictionary(f => f, File.ReadAllText);

        foreach (string target in new[] { s1, "s1/", Path.Combine(s1, "merged") })
        {
            var (code, stdout, stderr) = cli.Run("merge", s0, "s1", "--out", target);
            string full = Path.GetFullPath(target, cli.WorkDir);
            Assert.That(code, Is.EqualTo(2), target);
            Assert.That(OneLine(stderr), Is.EqualTo($"error: --out {full}: is the input shard folder {s1} or inside it; merge into a folder of its own"), target);
            Assert.That(stdout, Is.Empty);
        }

        Assert.That(Directory.GetFiles(s1, "*", SearchOption.AllDirectories).ToDictionary(f => f, File.ReadAllText), Is.EqualTo(shard1), "the shard is untouched");
        Assert.That(cli.Run("merge", s0, s1, "--out", Path.Combine(cli.WorkDir, "merged")).Code, Is.EqualTo(0));
    }

    private static (int Code, string Out, string Err) Sweep(Cli cli, string dir, params string[] extra) =>
        cli.Run(new[] { "sweep", "--jobs", "2", "--out", dir }.Concat(Small).Concat(extra).ToArray());

    /// <summary>The error, checked to be one line and no stack trace.</summary>
    private static string OneLine(string stderr)
    {
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.That(lines, Has.Length.EqualTo(1), stderr);
        return lines[0];
    }
}
