using System.Diagnostics;
using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace Emu.Tests.Host;

/// <summary>`emu sweep --emit`: the job files, run here by bash as Slurm would run them, and their bad input.</summary>
public class ClusterEmitTests
{
    private static readonly string[] Sweep =
    {
        "sweep", "--set", "Simulation:DurationUs=1000", "--vary", "Svm:AvicDoorbellStrict=true,false", "--vary", "HostTasks:PerCpu=0,1", "--replications", "2",
    };

    private static string EmuCommand => $"dotnet {Path.Combine(AppContext.BaseDirectory, "emu.dll")}";

    [Test]
    public void EmitSlurm_WritesAnArrayAndADependentMerge_ThatReproduceTheLocalSweep_WhenRunAsSlurmWould()
    {
        using var cli = new Cli();
        string jobs = Path.Combine(cli.WorkDir, "jobs");
        var (code, stdout, stderr) = cli.Run(Sweep.Concat(new[] { "--emit", "slurm", "--shards", "3", "--emu", EmuCommand, "--out", jobs }).ToArray());
        Assert.That(code, Is.EqualTo(0), stderr);
        Assert.That(stderr, Does.Contain("8 point(s) in 3 shard(s)"));

        string array = File.ReadAllText(Path.Combine(jobs, "sweep.sbatch"));
        Assert.That(array, Does.Contain("#SBATCH --array=0-2").And.Contain("--shard \"${SLURM_ARRAY_TASK_ID}/3\"").And.Contain("--vary 'Svm:AvicDoorbellStrict=true,false'"));
        Assert.That(File.ReadAllText(Path.Combine(jobs, "submit.sh")), Does.Contain("--dependency=afterok:\"$array\""));
        var scenario = JsonNode.Parse(File.ReadAllText(Path.Combine(jobs, "scenario.json")))!;
        Assert.That(scenario["Plugins"], Is.Null, "this machine's plugin folders stay here");
        Assert.That((long)scenario["Simulation"]!["DurationUs"]!, Is.EqualTo(1000), "the effective configuration is frozen");
        foreach (string script in new[] { "sweep.sbatch", "merge.sbatch", "submit.sh" })
        {
            if (!OperatingSystem.IsWindows())
            {
                Assert.That(File.GetUnixFileMode(Path.Combine(jobs, script)).HasFlag(UnixFileMode.UserExecute), Is.True, script);
            }

            Assert.That(Bash(jobs, new Dictionary<string, string>(), "-n", script).Code, Is.EqualTo(0), $"{script} is valid bash");
        }

        // Run the array tasks and then the merge exactly as Slurm would: same scripts, Slurm's variables.
        for (int i = 0; i < 3; i++)
        {
            var env = new Dictionary<string, string> { ["SWEEP_DIR"] = jobs, ["SLURM_ARRAY_TASK_ID"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture), ["SLURM_CPUS_PER_TASK"] = "1" };
            var task = Bash(jobs, env, "sweep.sbatch");
            Assert.That(task.Code, Is.EqualTo(0), task.Output);
        }

        var merge = Bash(jobs, new Dictionary<string, string> { ["SWEEP_DIR"] = jobs }, "merge.sbatch");
        Assert.That(merge.Code, Is.EqualTo(0), merge.Output);

        string local = Path.Combine(cli.WorkDir, "local");
        Assert.That(cli.Run(Sweep.Concat(new[] { "--out", local }).ToArray()).Code, Is.EqualTo(0));
        foreach (string file in new[] { "aggregate.json", "sweep.csv" })
        {
            Assert.That(File.ReadAllText(Path.Combine(jobs, "merged", file)), Is.EqualTo(File.ReadAllText(Path.Combine(local, file))), file);
        }
    }

    [Test]
    public void EmitK8s_WritesAnIndexedJobAndAMergeJob_AsValidYaml()
    {
        using var cli = new Cli();
        string jobs = Path.Combine(cli.WorkDir, "k8s");
        var (code, _, stderr) = cli.Run(Sweep.Concat(new[] { "--emit", "k8s", "--shards", "4", "--jobs", "2", "--image", "registry.example/emu:1.2", "--out", jobs }).ToArray());
        Assert.That(code, Is.EqualTo(0), stderr);

        var docs = Load(Path.Combine(jobs, "sweep-job.yaml"));
        Assert.That(docs.Select(d => Scalar(d, "kind")), Is.EqualTo(new[] { "ConfigMap", "Job" }));
        var scenario = JsonNode.Parse(Scalar(Map(docs[0], "data"), "scenario.json"))!;
        Assert.That((long)scenario["Simulation"]!["DurationUs"]!, Is.EqualTo(1000));

        var spec = Map(docs[1], "spec");
        Assert.That(Scalar(spec, "completionMode"), Is.EqualTo("Indexed"));
        Assert.That(Scalar(spec, "completions"), Is.EqualTo("4"));
        var container = (YamlMappingNode)((YamlSequenceNode)Map(Map(spec, "template"), "spec").Children[new YamlScalarNode("containers")])[0];
        Assert.That(Scalar(container, "image"), Is.EqualTo("registry.example/emu:1.2"));
        string args = ((YamlScalarNode)((YamlSequenceNode)container.Children[new YamlScalarNode("args")])[0]).Value!;
        Assert.That(args, Does.Contain("--shard \"$JOB_COMPLETION_INDEX/4\"").And.Contain("--jobs 2").And.Contain("--config /scenario/scenario.json"));

        var merge = Load(Path.Combine(jobs, "merge-job.yaml")).Single();
        Assert.That(Scalar(merge, "kind"), Is.EqualTo("Job"));
        Assert.That(File.ReadAllText(Path.Combine(jobs, "submit.sh")), Does.Contain("kubectl wait --for=condition=complete"));
    }

    [TestCase("--emit", "pbs", "--emit 'pbs': unknown target (known: slurm, k8s)")]
    [TestCase("--shards", "0", "--shards 0: must be between 1 and the sweep's 8 point(s)")]
    [TestCase("--shards", "9", "--shards 9: must be between 1")]
    [TestCase("--shard", "0/2", "--shard: not with --emit")]
    public void EmitBadArguments_AreRefusedWithExitCode2(string option, string value, string expected)
    {
        using var cli = new Cli();
        var args = Sweep.Concat(new[] { "--out", cli.OutDir, option, value }).ToList();
        if (option != "--emit")
        {
            args.AddRange(new[] { "--emit", "slurm" });
        }

        if (option != "--shards")
        {
            args.AddRange(new[] { "--shards", "2" });
        }

        var (code, _, stderr) = cli.Run(args.ToArray());
        Assert.That(code, Is.EqualTo(2), stderr);
        Assert.That(stderr, Does.Contain(expected));
        Assert.That(Directory.Exists(cli.OutDir), Is.False, "nothing written");
    }

    [Test]
    public void UnwritableOutputFolder_IsRefused_NamingIt_ForEmitAndForARun()
    {
        using var cli = new Cli();
        string blocker = cli.Write("a-file", "not a folder");
        string under = Path.Combine(blocker, "jobs");
        var emit = cli.Run(Sweep.Concat(new[] { "--emit", "slurm", "--shards", "2", "--out", under }).ToArray());
        Assert.That(emit.Code, Is.EqualTo(2));
        Assert.That(emit.Err, Does.Contain($"--out {under}: cannot write"));

        var run = cli.Run(Sweep.Concat(new[] { "--out", under }).ToArray());
        Assert.That(run.Code, Is.EqualTo(2));
        Assert.That(run.Err, Does.Contain($"--out {under}: cannot write there"));
        Assert.That(cli.Run(Sweep.Concat(new[] { "--shards", "2", "--out", cli.OutDir }).ToArray()).Err, Does.Contain("--shards: only with --emit"));
    }

    private static (int Code, string Output) Bash(string dir, Dictionary<string, string> env, params string[] args)
    {
        var psi = new ProcessStartInfo("bash") { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var (k, v) in env)
        {
            psi.Environment[k] = v;
        }

        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output + err.Result);
    }

    [Test]
    public void EmitK8s_QuotesValuesYamlWouldMisread()
    {
        // An image tag with " # " would end the value at the '#' if written unquoted: YamlDotNet quotes it.
        using var cli = new Cli();
        string jobs = Path.Combine(cli.WorkDir, "k8s");
        const string Image = "registry.example/emu:1.2 # nightly: x";
        var (code, _, stderr) = cli.Run(Sweep.Concat(new[] { "--emit", "k8s", "--shards", "2", "--image", Image, "--out", jobs }).ToArray());
        Assert.That(code, Is.EqualTo(0), stderr);
        foreach (string file in new[] { "sweep-job.yaml", "merge-job.yaml" })
        {
            var job = Load(Path.Combine(jobs, file)).Last();
            var container = (YamlMappingNode)((YamlSequenceNode)Map(Map(Map(job, "spec"), "template"), "spec").Children[new YamlScalarNode("containers")])[0];
            Assert.That(Scalar(container, "image"), Is.EqualTo(Image), file);
        }
    }

    private static List<YamlMappingNode> Load(string path)
    {
        var stream = new YamlStream();
        using var reader = new StringReader(File.ReadAllText(path));
        stream.Load(reader);
        return stream.Documents.Select(d => (YamlMappingNode)d.RootNode).ToList();
    }

    private static YamlMappingNode Map(YamlMappingNode node, string key) => (YamlMappingNode)node.Children[new YamlScalarNode(key)];

    private static string Scalar(YamlMappingNode node, string key) => ((YamlScalarNode)node.Children[new YamlScalarNode(key)]).Value!;
}
