using System.CommandLine;
using System.Diagnostics;
using Emu.Core.Results;
using Emu.Host.Output;

namespace Emu.Host.Cli;

/// <summary><c>emu run</c>: runs the scenario, prints a summary and writes DIR/result.json.</summary>
internal static class RunCommand
{
    public static Command Create(HostEnvironment env)
    {
        var scenario = new ScenarioArguments();
        var outDir = new Option<DirectoryInfo>("--out", "-o")
        {
            Description = "The folder for result.json (created if missing).",
            HelpName = "DIR",
            DefaultValueFactory = _ => new DirectoryInfo("results"),
        };
        var dump = new Option<bool>("--dump")
        {
            Description = "After the run, print the plugins' hardware state (the AVIC tables and backing pages in hex).",
        };
        var command = new Command("run", "Run the scenario: appsettings.json, then --config, EMU_ variables and --set.");
        scenario.AddTo(command);
        command.Options.Add(outDir);
        command.Options.Add(dump);
        command.SetAction(parse =>
        {
            var session = scenario.Open(parse, env);
            using var simulation = session.Build();
            var wall = Stopwatch.StartNew();
            var result = simulation.Run() with { WallSeconds = Math.Round(wall.Elapsed.TotalSeconds, 3) };

            string dir = Path.GetFullPath(parse.GetValue(outDir)!.ToString(), env.CurrentDirectory);
            Directory.CreateDirectory(dir);
            string file = Path.Combine(dir, "result.json");
            File.WriteAllText(file, ResultJson.Serialize(result));

            SummaryTable.Write(env.Out, result);
            if (parse.GetValue(dump))
            {
                foreach (var d in simulation.StateDumps)
                {
                    env.Out.WriteLine(d.Title);
                    foreach (string line in d.Lines())
                    {
                        env.Out.WriteLine(line);
                    }
                }
            }

            env.Out.WriteLine($"result: {file}");
            if (result.Failure is null)
            {
                return ExitCodes.Success;
            }

            env.Error.WriteLine($"error: the run stopped early: {result.Failure}");
            return simulation.FailedInPlugin ? ExitCodes.BadInput : ExitCodes.RunFailed;
        });
        return command;
    }
}
