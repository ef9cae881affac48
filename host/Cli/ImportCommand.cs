using System.CommandLine;
using Emu.Core.Configuration;
using Emu.Core.Workloads;
using Emu.Host.Output;
using Emu.Host.Traces;

namespace Emu.Host.Cli;

/// <summary>
/// <c>emu import TRACE --out scenario.json</c>: turns a KVM trace (trace-cmd report or perf script text) into a replay
/// scenario and, next to it, one actions file per VM (docs/traces.md).
/// </summary>
internal static class ImportCommand
{
    public static Command Create(HostEnvironment env)
    {
        var trace = new Argument<FileInfo>("TRACE") { Description = "The text of trace-cmd report (or perf script) of a recording of KVM's events." };
        var outFile = new Option<FileInfo>("--out", "-o")
        {
            Description = "The scenario to write; each VM's actions go next to it (SCENARIO.vm0.actions, ...).",
            HelpName = "FILE",
            Required = true,
        };
        var hostTasks = new Option<bool>("--host-tasks")
        {
            Description = "Model the host's other tasks from sched_switch (their mean run and sleep times).",
        };
        var command = new Command("import", "Import a KVM trace as a replay scenario: the recorded vCPUs' ICR writes, halts and exits, replayed in Emu's model.");
        command.Arguments.Add(trace);
        command.Options.Add(outFile);
        command.Options.Add(hostTasks);
        command.SetAction(parse =>
        {
            string given = parse.GetValue(trace)!.ToString();
            string tracePath = Path.GetFullPath(given, env.CurrentDirectory);
            if (!File.Exists(tracePath))
            {
                throw new EmuConfigurationException(Directory.Exists(tracePath) ? $"{given}: is a folder, not a trace file" : $"{given}: no such trace file");
            }

            var paths = new OutputPaths(env.CurrentDirectory);
            string scenario = paths.PrepareFile(parse.GetValue(outFile)!.ToString(), "--out");
            try
            {
                Import(env, given, tracePath, scenario, parse.GetValue(hostTasks));
            }
            catch (EmuConfigurationException)
            {
                paths.Abandon();
                throw;
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static void Import(HostEnvironment env, string given, string tracePath, string scenario, bool hostTasks)
    {
        string folder = Path.GetDirectoryName(scenario)!;
        string stem = Path.GetFileNameWithoutExtension(scenario);
        using var writer = new ReplayActionsFileWriter(AtomicFile.TemporaryPath(Path.Combine(folder, stem + ".staging")));
        ImportedTrace imported;
        using (var input = new FileStream(tracePath, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan))
        {
            imported = new TraceImporter(given, writer, hostTasks).Read(input);
        }

        var vms = VmGrouping.Group(given, imported.VcpuThreads);
        var model = imported.HostTasks is { } h ? HostTaskModel.From(h, imported.DurationNs, imported.CpusSeen) : null;
        var files = new List<string>();
        foreach (var vm in vms)
        {
            string name = $"{stem}.{vm.Name}.actions";
            var streams = vm.Vcpus.Select(t => t?.Stream ?? -1).ToList();
            AtomicFile.Write(Path.Combine(folder, name), stream => writer.WriteFile(stream, streams, imported.DurationNs));
            files.Add(name);
        }

        // The scenario last: it names the actions files, which are complete by now.
        AtomicFile.WriteAllText(scenario, ReplayScenario.Json(imported, vms, files, model));
        if (env.Verbosity >= Verbosity.Normal)
        {
            ImportSummary.Write(env.Out, given, imported, vms, model, hostTasks);
        }

        if (env.Verbosity >= Verbosity.Minimal)
        {
            env.Error.WriteLine($"scenario: {scenario}");
            foreach (string file in files)
            {
                env.Error.WriteLine($"actions: {Path.Combine(folder, file)}");
            }
        }
    }
}
