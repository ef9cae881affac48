using System.CommandLine;
using System.Text.Json.Nodes;
using Emu.Core.Configuration;

namespace Emu.Host.Cli;

/// <summary><c>emu validate</c>: checks the scenario and plugins without running anything.</summary>
internal static class ValidateCommand
{
    public static Command Create(HostEnvironment env)
    {
        var scenario = new ScenarioArguments();
        var json = JsonOutput.Create();
        var command = new Command("validate", "Check the configuration and plugins; run nothing.");
        scenario.AddTo(command);
        command.Options.Add(json);
        command.SetAction(parse =>
        {
            try
            {
                var session = scenario.Open(parse, env);
                using var simulation = session.Build();
                var m = simulation.Machine;
                var plugins = session.Plugins.Select(p => p.Plugin.Name).ToList();
                if (parse.GetValue(json))
                {
                    JsonOutput.Write(env.Out, new JsonObject
                    {
                        ["valid"] = true,
                        ["vms"] = m.Vms.Count,
                        ["vcpus"] = m.VcpuCount,
                        ["pcpus"] = m.Topology.Count,
                        ["plugins"] = new JsonArray(plugins.Select(p => (JsonNode?)JsonValue.Create(p)).ToArray()),
                    });
                }
                else
                {
                    env.Out.WriteLine($"valid: {m.Vms.Count} VM(s), {m.VcpuCount} vCPU(s) on {m.Topology.Count} pCPU(s); plugins: {string.Join(", ", plugins)}");
                }

                return ExitCodes.Success;
            }
            catch (EmuConfigurationException ex) when (parse.GetValue(json))
            {
                // The verdict on stdout for the script, the lines on stderr for the person.
                JsonOutput.Write(env.Out, new JsonObject
                {
                    ["valid"] = false,
                    ["errors"] = new JsonArray(ex.Errors.Select(e => (JsonNode?)JsonValue.Create(e)).ToArray()),
                });
                throw;
            }
        });
        return command;
    }
}
