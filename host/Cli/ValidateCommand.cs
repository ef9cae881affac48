using System.CommandLine;

namespace Emu.Host.Cli;

/// <summary><c>emu validate</c>: checks the scenario and plugins without running anything.</summary>
internal static class ValidateCommand
{
    public static Command Create(HostEnvironment env)
    {
        var scenario = new ScenarioArguments();
        var command = new Command("validate", "Check the configuration and plugins; run nothing.");
        scenario.AddTo(command);
        command.SetAction(parse =>
        {
            var session = scenario.Open(parse, env);
            using var simulation = session.Build();
            var m = simulation.Machine;
            env.Out.WriteLine(
                $"valid: {m.Vms.Count} VM(s), {m.VcpuCount} vCPU(s) on {m.Topology.Count} pCPU(s); plugins: {string.Join(", ", session.Plugins.Select(p => p.Plugin.Name))}");
            return ExitCodes.Success;
        });
        return command;
    }
}
