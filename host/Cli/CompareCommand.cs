using System.CommandLine;
using System.Text.Json;
using Emu.Core.Configuration;
using Emu.Core.Results;
using Emu.Host.Output;

namespace Emu.Host.Cli;

/// <summary><c>emu compare A B</c>: two runs side by side.</summary>
internal static class CompareCommand
{
    public static Command Create(HostEnvironment env)
    {
        var a = new Argument<FileInfo>("A") { Description = "A result.json (or the folder holding it)." };
        var b = new Argument<FileInfo>("B") { Description = "Another result.json (or its folder)." };
        var command = new Command("compare", "Show two runs side by side: the configuration keys that differ, then every total with B - A and B / A.");
        var json = JsonOutput.Create();
        command.Arguments.Add(a);
        command.Arguments.Add(b);
        command.Options.Add(json);
        command.SetAction(parse =>
        {
            string pathA = Locate(parse.GetValue(a)!.ToString(), env), pathB = Locate(parse.GetValue(b)!.ToString(), env);
            if (parse.GetValue(json))
            {
                JsonOutput.Write(env.Out, CompareTable.ToJson(pathA, Read(pathA), pathB, Read(pathB)));
            }
            else
            {
                CompareTable.Write(env.Out, pathA, Read(pathA), pathB, Read(pathB));
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static string Locate(string given, HostEnvironment env)
    {
        string path = Path.GetFullPath(given, env.CurrentDirectory);
        if (Directory.Exists(path))
        {
            path = Path.Combine(path, "result.json");
        }

        return File.Exists(path) ? path : throw new EmuConfigurationException($"{given}: no such result file");
    }

    private static SimulationResult Read(string path)
    {
        try
        {
            var r = ResultJson.Deserialize(File.ReadAllText(path));
            return r is { SchemaVersion: SimulationResult.CurrentSchemaVersion }
                ? r
                : throw new EmuConfigurationException($"{path}: not a result.json of schema version {SimulationResult.CurrentSchemaVersion}");
        }
        catch (JsonException ex)
        {
            throw new EmuConfigurationException($"{path}: not a valid result.json: {ex.Message}");
        }
    }
}
