using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Emu.Core.Configuration;

namespace Emu.Host.Sweeps;

/// <summary>Where `emu sweep --emit` writes the sweep for: a Slurm job array or a Kubernetes Indexed Job.</summary>
internal enum EmitTarget
{
    Slurm,
    K8s,
}

/// <summary>
/// `emu sweep --emit`: instead of running, writes a relocatable folder that runs the sweep on a cluster:
/// scenario.json (the effective configuration, frozen, without this machine's Plugins section), one job per
/// shard (`emu sweep --shard i/N` into shards/i) and a merge that waits for all of them (`emu merge` into
/// merged/). The emu command, the folder and (for Kubernetes) the image are parameters, not this machine's.
/// </summary>
internal sealed class ClusterEmit
{
    private readonly SweepPlan _plan;
    private readonly int _shards;
    private readonly int _cpus;
    private readonly string _emu;
    private readonly string _image;
    private readonly JsonNode _scenario;
    private readonly string _id;

    public ClusterEmit(SweepPlan plan, int shards, int cpusPerShard, string emuCommand, string image, JsonNode effectiveConfig)
    {
        _plan = plan;
        _shards = shards;
        _cpus = cpusPerShard;
        _emu = emuCommand;
        _image = image;
        _scenario = effectiveConfig.DeepClone();
        _scenario.AsObject().Remove("Plugins"); // the cluster's emu has its own plugin folders
        _id = SweepManifest.Hash(_scenario.ToJsonString() + string.Join(';', plan.Axes.Select(a => a.Key + "=" + string.Join(',', a.Values))) + plan.Replications)[..8];
    }

    public IReadOnlyList<string> Write(string dir, EmitTarget target)
    {
        var files = new List<(string Name, string Text, bool Executable)>
        {
            ("scenario.json", _scenario.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n", false),
        };
        if (target == EmitTarget.Slurm)
        {
            files.Add(("sweep.sbatch", SlurmArray(), true));
            files.Add(("merge.sbatch", SlurmMerge(), true));
            files.Add(("submit.sh", SlurmSubmit(), true));
        }
        else
        {
            files.Add(("sweep-job.yaml", K8sSweep(), false));
            files.Add(("merge-job.yaml", K8sMerge(), false));
            files.Add(("submit.sh", K8sSubmit(), true));
        }

        try
        {
            Directory.CreateDirectory(dir);
            foreach (var (name, text, executable) in files)
            {
                string path = Path.Combine(dir, name);
                Output.AtomicFile.WriteAllText(path, text.Replace("\r\n", "\n", StringComparison.Ordinal));
                if (executable && !OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(path, File.GetUnixFileMode(path) | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new EmuConfigurationException($"--out {dir}: cannot write the job files there: {ex.Message}");
        }

        return files.Select(f => Path.Combine(dir, f.Name)).ToList();
    }

    /// <summary>The arguments every shard passes to `emu sweep`, shell-quoted.</summary>
    private string SweepArguments(string config)
    {
        var sb = new StringBuilder($"sweep --config {config}");
        foreach (var axis in _plan.Axes)
        {
            sb.Append(" --vary ").Append(Quote(axis.Key + "=" + string.Join(',', axis.Values)));
        }

        sb.Append(CultureInfo.InvariantCulture, $" --replications {_plan.Replications}");

        // A retried task (Slurm requeue, a Job's backoff) finds its shard folder half done: it finishes it.
        sb.Append(" --resume");
        return sb.ToString();
    }

    private string Describe() =>
        $"{_plan.Combinations} combination(s) x {_plan.Replications} replication(s) = {_plan.PointCount} point(s) in {_shards} shard(s)";

    private string SlurmArray() => $$"""
        #!/usr/bin/env bash
        # Written by `emu sweep --emit slurm` (sweep {{_id}}): {{Describe()}}.
        # Array task i runs shard i/{{_shards}} into shards/i. Submit with submit.sh, which also queues the merge.
        #SBATCH --job-name=emu-sweep-{{_id}}
        #SBATCH --array=0-{{_shards - 1}}
        #SBATCH --cpus-per-task={{_cpus}}
        #SBATCH --output=emu-sweep-{{_id}}-%A_%a.out
        set -euo pipefail
        : "${SWEEP_DIR:?submit with submit.sh, or export SWEEP_DIR=<the folder holding this script>}"
        EMU="${EMU:-{{_emu}}}"
        mkdir -p "$SWEEP_DIR/shards"
        # $EMU is left unquoted on purpose: it may be a command with arguments, e.g. "dotnet /shared/emu/emu.dll".
        $EMU {{SweepArguments("\"$SWEEP_DIR/scenario.json\"")}} \
          --jobs "${SLURM_CPUS_PER_TASK:-1}" \
          --shard "${SLURM_ARRAY_TASK_ID}/{{_shards}}" \
          --out "$SWEEP_DIR/shards/${SLURM_ARRAY_TASK_ID}"

        """;

    private string SlurmMerge() => $$"""
        #!/usr/bin/env bash
        # Written by `emu sweep --emit slurm` (sweep {{_id}}): merges shards/0..{{_shards - 1}} into merged/ once the array
        # has succeeded (submit.sh queues it with --dependency=afterok on the array).
        #SBATCH --job-name=emu-merge-{{_id}}
        #SBATCH --cpus-per-task=1
        #SBATCH --output=emu-merge-{{_id}}-%j.out
        set -euo pipefail
        : "${SWEEP_DIR:?submit with submit.sh, or export SWEEP_DIR=<the folder holding this script>}"
        EMU="${EMU:-{{_emu}}}"
        $EMU merge {{string.Join(' ', Enumerable.Range(0, _shards).Select(i => $"\"$SWEEP_DIR/shards/{i}\""))}} --out "$SWEEP_DIR/merged"

        """;

    private static string SlurmSubmit() => """
        #!/usr/bin/env bash
        # Submits the array, then the merge that depends on all of it. Re-run one failed shard alone with
        #   SWEEP_DIR=<this folder> sbatch --array=<i> --export=ALL <this folder>/sweep.sbatch
        # and the merge with: SWEEP_DIR=<this folder> sbatch --export=ALL <this folder>/merge.sbatch
        set -euo pipefail
        SWEEP_DIR="$(cd "$(dirname "$0")" && pwd)"
        export SWEEP_DIR
        mkdir -p "$SWEEP_DIR/logs"
        cd "$SWEEP_DIR/logs"
        array="$(sbatch --parsable --export=ALL "$SWEEP_DIR/sweep.sbatch")"
        array="${array%%;*}"
        merge="$(sbatch --parsable --export=ALL --dependency=afterok:"$array" "$SWEEP_DIR/merge.sbatch")"
        merge="${merge%%;*}"
        echo "array job $array, merge job $merge; results in $SWEEP_DIR/merged, logs in $SWEEP_DIR/logs"
        echo "$array $merge" > "$SWEEP_DIR/logs/jobs"

        """;

    private string K8sSweep()
    {
        var configMap = new Dictionary<string, object>
        {
            ["apiVersion"] = "v1",
            ["kind"] = "ConfigMap",
            ["metadata"] = new Dictionary<string, object> { ["name"] = $"emu-sweep-{_id}" },
            ["data"] = new Dictionary<string, object> { ["scenario.json"] = _scenario.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n" },
        };
        string command = $"{_emu} {SweepArguments("/scenario/scenario.json")} --jobs {_cpus} --shard \"$JOB_COMPLETION_INDEX/{_shards}\" --out \"/results/shards/$JOB_COMPLETION_INDEX\"";
        var job = new Dictionary<string, object>
        {
            ["apiVersion"] = "batch/v1",
            ["kind"] = "Job",
            ["metadata"] = new Dictionary<string, object> { ["name"] = $"emu-sweep-{_id}" },
            ["spec"] = new Dictionary<string, object>
            {
                ["completionMode"] = "Indexed",
                ["completions"] = _shards,
                ["parallelism"] = _shards,
                ["backoffLimit"] = _shards * 2,
                ["template"] = PodTemplate(command, new Dictionary<string, object> { ["requests"] = new Dictionary<string, object> { ["cpu"] = _cpus.ToString(CultureInfo.InvariantCulture) } }, withScenario: true),
            },
        };
        return Comments(
            $"Written by `emu sweep --emit k8s` (sweep {_id}): {Describe()}.",
            $"Completion index i runs shard i/{_shards} into /results/shards/i on the PersistentVolumeClaim emu-results.")
            + Yaml.Serialize(configMap) + "---\n" + Yaml.Serialize(job);
    }

    private string K8sMerge()
    {
        string command = $"{_emu} merge {string.Join(' ', Enumerable.Range(0, _shards).Select(i => $"/results/shards/{i}"))} --out /results/merged";
        var job = new Dictionary<string, object>
        {
            ["apiVersion"] = "batch/v1",
            ["kind"] = "Job",
            ["metadata"] = new Dictionary<string, object> { ["name"] = $"emu-merge-{_id}" },
            ["spec"] = new Dictionary<string, object> { ["backoffLimit"] = 2, ["template"] = PodTemplate(command, resources: null, withScenario: false) },
        };
        return Comments(
            $"Written by `emu sweep --emit k8s` (sweep {_id}): merges /results/shards/* into /results/merged.",
            $"Apply it once job/emu-sweep-{_id} is complete (submit.sh waits for that).")
            + Yaml.Serialize(job);
    }

    /// <summary>The pod both jobs run: emu in the image, one shell command, the results volume (and the scenario's ConfigMap).</summary>
    private Dictionary<string, object> PodTemplate(string command, Dictionary<string, object>? resources, bool withScenario)
    {
        var mounts = new List<object>();
        var volumes = new List<object>();
        if (withScenario)
        {
            mounts.Add(new Dictionary<string, object> { ["name"] = "scenario", ["mountPath"] = "/scenario" });
            volumes.Add(new Dictionary<string, object> { ["name"] = "scenario", ["configMap"] = new Dictionary<string, object> { ["name"] = $"emu-sweep-{_id}" } });
        }

        mounts.Add(new Dictionary<string, object> { ["name"] = "results", ["mountPath"] = "/results" });
        volumes.Add(new Dictionary<string, object> { ["name"] = "results", ["persistentVolumeClaim"] = new Dictionary<string, object> { ["claimName"] = "emu-results" } });
        var container = new Dictionary<string, object>
        {
            ["name"] = "emu",
            ["image"] = _image,
            ["command"] = new List<object> { "sh", "-c" },
            ["args"] = new List<object> { command },
        };
        if (resources is not null)
        {
            container["resources"] = resources;
        }

        container["volumeMounts"] = mounts;
        return new Dictionary<string, object>
        {
            ["spec"] = new Dictionary<string, object>
            {
                ["restartPolicy"] = "Never",
                ["containers"] = new List<object> { container },
                ["volumes"] = volumes,
            },
        };
    }

    /// <summary>YAML comment lines (a value with a line break cannot end a comment early: each line is its own).</summary>
    private static string Comments(params string[] lines) =>
        string.Concat(lines.SelectMany(l => l.Split('\n')).Select(l => "# " + l.TrimEnd('\r') + "\n"));

    /// <summary>YamlDotNet writes the manifests: every value quoted as YAML needs it (an image with '#', a command with ': ').</summary>
    private static readonly YamlDotNet.Serialization.ISerializer Yaml = new YamlDotNet.Serialization.SerializerBuilder()
        .WithNewLine("\n")
        .WithEventEmitter(next => new LiteralBlocks(next))
        .Build();

    /// <summary>A value of several lines (the scenario's JSON) as a literal block (|), which keeps every line as it is.</summary>
    private sealed class LiteralBlocks : YamlDotNet.Serialization.EventEmitters.ChainedEventEmitter
    {
        public LiteralBlocks(YamlDotNet.Serialization.IEventEmitter next)
            : base(next)
        {
        }

        public override void Emit(YamlDotNet.Serialization.ScalarEventInfo eventInfo, YamlDotNet.Core.IEmitter emitter)
        {
            if (eventInfo.Source.Value is string text && text.Contains('\n', StringComparison.Ordinal))
            {
                eventInfo.Style = YamlDotNet.Core.ScalarStyle.Literal;
            }

            base.Emit(eventInfo, emitter);
        }
    }

    private string K8sSubmit() => $$"""
        #!/usr/bin/env bash
        # Applies the Indexed Job, waits for every index to succeed, then runs the merge. A failed index is retried
        # by Kubernetes (backoffLimit); to re-run shard i alone, run the image with --shard i/{{_shards}} by hand.
        set -euo pipefail
        here="$(cd "$(dirname "$0")" && pwd)"
        kubectl apply -f "$here/sweep-job.yaml"
        kubectl wait --for=condition=complete --timeout="${TIMEOUT:-24h}" job/emu-sweep-{{_id}}
        kubectl apply -f "$here/merge-job.yaml"
        kubectl wait --for=condition=complete --timeout=1h job/emu-merge-{{_id}}

        """;

    /// <summary>POSIX single quotes: safe for any value.</summary>
    private static string Quote(string s) => "'" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
