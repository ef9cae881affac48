using System.CommandLine;
using System.Globalization;
using Emu.Core.Configuration;
using Emu.Core.Results;
using Emu.Host.Sweeps;

namespace Emu.Host.Cli;

/// <summary><c>emu sweep</c>: the cartesian product of --vary values times --replications seeds, run in parallel.</summary>
internal static class SweepCommand
{
    public static Command Create(HostEnvironment env)
    {
        var scenario = new ScenarioArguments();
        var vary = new Option<string[]>("--vary")
        {
            Description = "A key and its values, e.g. --vary Svm:AvicDoorbellStrict=true,false (repeatable; the first varies slowest).",
            HelpName = "Section:Key=v1,v2,...",
            Arity = ArgumentArity.ZeroOrMore,
            DefaultValueFactory = _ => Array.Empty<string>(),
        };
        var replications = new Option<int>("--replications", "-n")
        {
            Description = "Seeds per combination: the base Simulation:Seed, then seeds derived from it.",
            HelpName = "N",
            DefaultValueFactory = _ => 1,
        };
        var jobs = new Option<int>("--jobs", "-j")
        {
            Description = "Runs at once (default: one per core). Results do not depend on it.",
            HelpName = "N",
            DefaultValueFactory = _ => Environment.ProcessorCount,
        };
        var shard = new Option<string?>("--shard")
        {
            Description = "Run only points i, i+N, i+2N... (0 <= i < N); combine the shards with `emu merge`.",
            HelpName = "i/N",
        };
        var outDir = new Option<DirectoryInfo>("--out", "-o")
        {
            Description = "The sweep's folder: sweep.json, points/, sweep.csv, aggregate.json/.csv.",
            HelpName = "DIR",
            DefaultValueFactory = _ => new DirectoryInfo(Path.Combine("results", "sweep")),
        };
        var emit = new Option<string?>("--emit")
        {
            Description = "Do not run: write job files that run the sweep on a cluster (slurm: a job array and a merge job; k8s: an Indexed Job and a merge Job) into --out.",
            HelpName = "slurm|k8s",
        };
        var shards = new Option<int?>("--shards")
        {
            Description = "With --emit: how many shards (array tasks / completion indexes) to split the points into.",
            HelpName = "N",
        };
        var emuCommand = new Option<string>("--emu")
        {
            Description = "With --emit: the command that runs emu on the cluster (e.g. \"dotnet /shared/emu/emu.dll\"); EMU overrides it at submit time.",
            HelpName = "COMMAND",
            DefaultValueFactory = _ => "emu",
        };
        var image = new Option<string>("--image")
        {
            Description = "With --emit k8s: the container image that holds emu.",
            HelpName = "IMAGE",
            DefaultValueFactory = _ => "emu:latest",
        };
        var resume = new Option<bool>("--resume")
        {
            Description = "Finish an interrupted sweep in --out: run only the points not there yet (the folder must hold this same sweep).",
        };
        var force = new Option<bool>("--force")
        {
            Description = "Delete whatever --out holds first (by default a folder that is not empty is refused).",
        };
        var command = new Command("sweep", "Run a scenario over varied keys and seeds, in parallel, and aggregate (mean, 95% CI).");
        scenario.AddTo(command);
        command.Options.Add(vary);
        command.Options.Add(replications);
        command.Options.Add(jobs);
        command.Options.Add(shard);
        command.Options.Add(outDir);
        command.Options.Add(emit);
        command.Options.Add(shards);
        command.Options.Add(emuCommand);
        command.Options.Add(image);
        command.Options.Add(resume);
        command.Options.Add(force);

        // The cancellation token fires on Ctrl-C / SIGTERM: no new point starts, the finished ones stay for --resume.
        command.SetAction((parse, cancel) =>
        {
            int n = parse.GetValue(replications);
            int j = parse.GetValue(jobs);
            if (n < 1 || n > 100_000)
            {
                throw new EmuConfigurationException($"--replications {n}: must be between 1 and 100000");
            }

            if (j < 1)
            {
                throw new EmuConfigurationException($"--jobs {j}: must be at least 1");
            }

            var axes = (parse.GetValue(vary) ?? Array.Empty<string>()).Select(SweepAxis.Parse).ToList();
            var twice = axes.GroupBy(a => a.Key, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
            if (twice is not null)
            {
                throw new EmuConfigurationException($"--vary: key '{twice.Key}' is varied twice; list all its values in one --vary");
            }

            // A key both varied and set: which would win is a guess; say so instead.
            var sets = parse.GetValue(scenario.Set) ?? Array.Empty<string>();
            foreach (var axis in axes)
            {
                if (sets.Any(s => s.Split('=', 2)[0].Trim().Equals(axis.Key, StringComparison.OrdinalIgnoreCase)))
                {
                    throw new EmuConfigurationException($"--vary {axis.Key} and --set {axis.Key}: the same key both varied and set; drop one");
                }
            }

            var spec = ShardSpec.Parse(parse.GetValue(shard));
            var mode = FolderMode(parse.GetValue(resume), parse.GetValue(force));
            var session = scenario.Open(parse, env);
            var plan = new SweepPlan(axes, n, BaseSeed(session));
            SweepRunner.Validate(session, plan);

            string dir = Path.GetFullPath(parse.GetValue(outDir)!.ToString(), env.CurrentDirectory);
            if (parse.GetValue(emit) is { } target)
            {
                if (mode != SweepFolderMode.New)
                {
                    throw new EmuConfigurationException($"--{mode.ToString().ToLowerInvariant()}: not with --emit (it writes job files, not a sweep)");
                }

                int cpus = parse.GetResult(jobs) is { Implicit: false } ? j : 1; // --jobs on the command line: each shard's CPUs
                return Task.FromResult(Emit(env, plan, session, dir, target, parse.GetValue(shards), parse.GetValue(shard) is not null, parse.GetValue(emuCommand)!, parse.GetValue(image)!, cpus));
            }

            if (parse.GetValue(shards) is not null)
            {
                throw new EmuConfigurationException("--shards: only with --emit (to run one shard here, use --shard i/N)");
            }

            // Ctrl-C and SIGTERM are the host's Interruption (System.CommandLine's own handling is off): no new point starts.
            var manifest = new SweepManifest(plan, spec, ResultJson.ConfigurationToJson(session.Configuration));
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel, env.Interruption.Token);
            return Task.FromResult(SweepJob.Run(env, session, manifest, dir, mode, j, stop.Token));
        });
        return command;
    }

    private static int Emit(
        HostEnvironment env, SweepPlan plan, ScenarioSession session, string dir, string target, int? shards, bool shardGiven, string emu, string image, int cpus)
    {
        EmitTarget kind = target.ToLowerInvariant() switch
        {
            "slurm" => EmitTarget.Slurm,
            "k8s" or "kubernetes" => EmitTarget.K8s,
            _ => throw new EmuConfigurationException($"--emit '{target}': unknown target (known: slurm, k8s)"),
        };
        if (shardGiven)
        {
            throw new EmuConfigurationException("--shard: not with --emit (the emitted jobs pass --shard themselves)");
        }

        int n = shards ?? throw new EmuConfigurationException("--shards: required with --emit (how many jobs to split the sweep into)");
        if (n < 1 || n > plan.PointCount)
        {
            throw new EmuConfigurationException($"--shards {n}: must be between 1 and the sweep's {plan.PointCount} point(s)");
        }

        if (string.IsNullOrWhiteSpace(emu))
        {
            throw new EmuConfigurationException("--emu: must name the command that runs emu on the cluster");
        }

        var files = new ClusterEmit(plan, n, cpus, emu, image, ResultJson.ConfigurationToJson(session.Configuration)).Write(dir, kind);
        env.Error.WriteLine($"{kind.ToString().ToLowerInvariant()}: {plan.PointCount} point(s) in {n} shard(s), {cpus} CPU(s) each; submit with {Path.Combine(dir, "submit.sh")}");
        foreach (string f in files)
        {
            env.Error.WriteLine($"  {f}");
        }

        return ExitCodes.Success;
    }

    private static SweepFolderMode FolderMode(bool resume, bool force) => (resume, force) switch
    {
        (true, true) => throw new EmuConfigurationException("--resume and --force: choose one (--resume keeps the finished points, --force deletes them)"),
        (true, false) => SweepFolderMode.Resume,
        (false, true) => SweepFolderMode.Force,
        _ => SweepFolderMode.New,
    };

    private static long BaseSeed(ScenarioSession session)
    {
        string? text = session.Configuration["Simulation:Seed"];
        if (text is null)
        {
            return new SimulationOptions().Seed;
        }

        return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long seed)
            ? seed
            : throw new EmuConfigurationException($"Simulation:Seed: '{text}' is not a whole number");
    }
}
