using System.CommandLine;
using System.Diagnostics;
using Emu.Core.Configuration;
using Emu.Core.Results;
using Emu.Host.Output;
using Emu.Host.Output.KvmTrace;

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
            HelpName = "N",
            Description = "Stop recording the trace after this many events (the file stays valid JSON).",
            DefaultValueFactory = _ => 1_000_000,
        };
        var kvmTrace = new Option<FileInfo?>("--kvm-trace")
        {
            Description = "Write the run as `trace-cmd report` text: KVM's and the scheduler's tracepoints (docs/traces.md).",
            HelpName = "FILE",
        };
        var kvmTraceLimit = new Option<long>("--kvm-trace-limit")
        {
            HelpName = "N",
            Description = "Stop writing the trace-cmd text after this many lines.",
            DefaultValueFactory = _ => 1_000_000,
        };
        var kvmTraceNs = new Option<bool>("--kvm-trace-ns")
        {
            Description = "Print the trace-cmd text's timestamps to the nanosecond, as `trace-cmd report -t` does (for an exact emu import).",
        };
        var json = JsonOutput.Create();
        var command = new Command("run", "Run the scenario: appsettings.json, then --config, EMU_ variables and --set.");
        scenario.AddTo(command);
        command.Options.Add(outDir);
        command.Options.Add(dump);
        command.Options.Add(trace);
        command.Options.Add(traceLimit);
        command.Options.Add(kvmTrace);
        command.Options.Add(kvmTraceLimit);
        command.Options.Add(kvmTraceNs);
        command.Options.Add(json);
        command.SetAction(parse =>
        {
            var session = scenario.Open(parse, env);
            long limit = AtLeastOne(parse, traceLimit);
            long kvmLimit = AtLeastOne(parse, kvmTraceLimit);

            // Every path the run writes is checked before it starts: a bad one must not cost the run.
            var paths = new OutputPaths(env.CurrentDirectory);
            string dir = paths.PrepareFolder(parse.GetValue(outDir)!.ToString(), "--out");
            string? tracePath = parse.GetValue(trace) is { } t ? paths.PrepareFile(t.ToString(), "--trace") : null;
            string? kvmTracePath = parse.GetValue(kvmTrace) is { } k ? paths.PrepareFile(k.ToString(), "--kvm-trace") : null;
            if (kvmTracePath is not null && kvmTracePath == tracePath)
            {
                throw new EmuConfigurationException($"--kvm-trace {kvmTracePath}: is --trace's file too; give each its own");
            }

            var builder = session.CreateBuilder();
            using var sink = tracePath is null ? null : new ChromeTraceSink(tracePath, limit);
            if (sink is not null)
            {
                builder.AddTraceSink(sink);
            }

            using var kvmSink = kvmTracePath is null ? null : new KvmTraceSink(kvmTracePath, kvmLimit, parse.GetValue(kvmTraceNs));
            if (kvmSink is not null)
            {
                builder.AddTraceSink(kvmSink);
            }

            Core.Building.Simulation built;
            try
            {
                built = session.Build(builder);
            }
            catch (EmuConfigurationException)
            {
                sink?.Dispose(); // a scenario that does not validate writes nothing: no trace, no folder
                kvmSink?.Dispose();
                paths.Abandon();
                throw;
            }

            using var simulation = built;
            if (sink is not null)
            {
                TraceNames.Apply(sink, simulation.Machine);
            }

            var wall = Stopwatch.StartNew();
            simulation.RunToEnd(() => env.Interruption.Requested);
            var result = simulation.GetResult() with { WallSeconds = Math.Round(wall.Elapsed.TotalSeconds, 3) };
            if (env.Interruption.Requested && !result.Completed && result.Failure is null)
            {
                result = result with { Failure = $"interrupted by {env.Interruption.Signal} at {simulation.Now:N0} ns of {simulation.EndTimeNs:N0} ns simulated" };
            }

            sink?.Complete(simulation.Now);
            kvmSink?.Complete();
            var traces = new List<string>();
            if (sink is not null)
            {
                traces.Add($"trace: {tracePath} ({sink.EventsWritten:N0} events{(sink.Truncated ? ", truncated by --trace-limit" : string.Empty)})");
            }

            if (kvmSink is not null)
            {
                traces.Add($"kvm trace: {kvmTracePath} ({kvmSink.LinesWritten:N0} lines{(kvmSink.Truncated ? ", truncated by --kvm-trace-limit" : string.Empty)})");
            }

            return Finish(env, dir, parse.GetValue(dump), parse.GetValue(json), simulation, result, traces);
        });
        return command;
    }

    /// <summary>A count option's value, which must be at least 1 (bad input otherwise, naming the option).</summary>
    private static long AtLeastOne(ParseResult parse, Option<long> option)
    {
        long value = parse.GetValue(option);
        return value >= 1 ? value : throw new EmuConfigurationException($"{option.Name} {value}: must be at least 1");
    }

    private static int Finish(HostEnvironment env, string dir, bool dump, bool json, Core.Building.Simulation simulation, SimulationResult result, List<string> traces)
    {
        {
            string file = Path.Combine(dir, "result.json");
            AtomicFile.WriteAllText(file, ResultJson.Serialize(result));
            AtomicFile.WriteAllText(Path.Combine(dir, ResultCsv.FileName), ResultCsv.Write(result));
            var series = TimeSeriesOutput.Write(dir, simulation.TimeSeries, simulation.WarmupNs);

            if (json)
            {
                env.Out.WriteLine(ResultJson.Serialize(result));
            }
            else if (env.Verbosity >= Verbosity.Normal)
            {
                SummaryTable.Write(env.Out, result);
            }

            if (env.Verbosity >= Verbosity.Normal)
            {
                foreach (string line in traces)
                {
                    env.Error.WriteLine(line);
                }
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

            if (env.Verbosity >= Verbosity.Minimal)
            {
                env.Error.WriteLine($"result: {file}");
                foreach (string written in series)
                {
                    env.Error.WriteLine($"time series: {written}");
                }
            }

            if (result.Failure is null)
            {
                return ExitCodes.Success;
            }

            if (env.Interruption.Requested && !simulation.FailedInPlugin && simulation.Failure is null)
            {
                env.Error.WriteLine($"error: {result.Failure}; the result so far is in {file} (completed: false)");
                return Interruption.ExitCode;
            }

            env.Error.WriteLine($"error: the run stopped early: {result.Failure}");
            return simulation.FailedInPlugin ? ExitCodes.BadInput : ExitCodes.RunFailed;
        }
    }
}
