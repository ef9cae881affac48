using System.CommandLine;
using System.Diagnostics;
using Emu.Core.Configuration;
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
        var trace = new Option<FileInfo?>("--trace")
        {
            Description = "Write a Chrome/Perfetto trace (open in ui.perfetto.dev or chrome://tracing).",
            HelpName = "FILE",
        };
        var traceLimit = new Option<long>("--trace-limit")
        {
            Description = "Stop recording the trace after this many events (the file stays valid JSON).",
            DefaultValueFactory = _ => 1_000_000,
        };
        var command = new Command("run", "Run the scenario: appsettings.json, then --config, EMU_ variables and --set.");
        scenario.AddTo(command);
        command.Options.Add(outDir);
        command.Options.Add(dump);
        command.Options.Add(trace);
        command.Options.Add(traceLimit);
        command.SetAction(parse =>
        {
            var session = scenario.Open(parse, env);
            long limit = parse.GetValue(traceLimit);
            if (limit < 1)
            {
                throw new EmuConfigurationException($"--trace-limit {limit}: must be at least 1");
            }

            string? tracePath = parse.GetValue(trace) is { } t ? Path.GetFullPath(t.ToString(), env.CurrentDirectory) : null;
            var builder = session.CreateBuilder();
            ChromeTraceSink? sink = null;
            try
            {
                if (tracePath is not null)
                {
                    Directory.CreateDirectory(Path.GetDirectoryName(tracePath)!);
                    sink = new ChromeTraceSink(tracePath, limit);
                    builder.AddTraceSink(sink);
                }

                Core.Building.Simulation simulation;
                try
                {
                    simulation = session.Build(builder);
                }
                catch (EmuConfigurationException)
                {
                    sink?.Dispose();
                    sink = null;
                    if (tracePath is not null)
                    {
                        File.Delete(tracePath); // nothing is written for a scenario that does not validate
                    }

                    throw;
                }

                using var owned = simulation;
                if (sink is not null)
                {
                    TraceNames.Apply(sink, simulation.Machine);
                }

                var wall = Stopwatch.StartNew();
                var result = simulation.Run() with { WallSeconds = Math.Round(wall.Elapsed.TotalSeconds, 3) };
                sink?.Complete(simulation.Now);
                return Finish(env, parse.GetValue(outDir)!, parse.GetValue(dump), simulation, result, sink, tracePath);
            }
            finally
            {
                sink?.Dispose();
            }
        });
        return command;
    }

    private static int Finish(HostEnvironment env, DirectoryInfo outDir, bool dump, Core.Building.Simulation simulation, SimulationResult result, ChromeTraceSink? sink, string? tracePath)
    {
        {

            string dir = Path.GetFullPath(outDir.ToString(), env.CurrentDirectory);
            Directory.CreateDirectory(dir);
            string file = Path.Combine(dir, "result.json");
            File.WriteAllText(file, ResultJson.Serialize(result));
            File.WriteAllText(Path.Combine(dir, ResultCsv.FileName), ResultCsv.Write(result));

            SummaryTable.Write(env.Out, result);
            if (sink is not null)
            {
                env.Out.WriteLine($"trace: {tracePath} ({sink.EventsWritten:N0} events{(sink.Truncated ? ", truncated by --trace-limit" : string.Empty)})");
            }

            if (dump)
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
        }
    }
}
