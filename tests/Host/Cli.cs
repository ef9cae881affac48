using System.Text.Json.Nodes;
using Emu.Host.Cli;

namespace Emu.Tests.Host;

/// <summary>Runs the real `emu` entry point in-process, from a scratch working folder.</summary>
internal sealed class Cli : IDisposable
{
    public Cli()
    {
        WorkDir = Directory.CreateTempSubdirectory("emu-cli-").FullName;
    }

    public string WorkDir { get; }

    public static string HostDir => AppContext.BaseDirectory;

    /// <summary>The repository's root (the folder holding Emu.sln), for its scenarios/ and docs/.</summary>
    public static string RepoRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Emu.sln")))
            {
                dir = dir.Parent;
            }

            return dir?.FullName ?? throw new InvalidOperationException("Emu.sln not found above " + AppContext.BaseDirectory);
        }
    }

    public static string Scenario(string name) => Path.Combine(RepoRoot, "scenarios", name);

    public string OutDir => Path.Combine(WorkDir, "out");

    public string ResultFile => Path.Combine(OutDir, "result.json");

    public (int Code, string Out, string Err) Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int code = EmuCli.Run(args, stdout, stderr, HostDir, WorkDir);
        return (code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>`emu run` of a short scenario writing into <see cref="OutDir"/>.</summary>
    public (int Code, string Out, string Err) RunShort(params string[] extra) =>
        Run(new[] { "run", "--out", OutDir, "--set", "Simulation:DurationUs=2000" }.Concat(extra).ToArray());

    public string Write(string name, string content)
    {
        string path = Path.Combine(WorkDir, name);
        File.WriteAllText(path, content);
        return path;
    }

    public JsonNode Result() => JsonNode.Parse(File.ReadAllText(ResultFile))!;

    public void Dispose() => Directory.Delete(WorkDir, recursive: true);
}
