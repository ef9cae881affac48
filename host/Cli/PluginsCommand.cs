using System.CommandLine;
using Emu.Host.Output;

namespace Emu.Host.Cli;

/// <summary><c>emu plugins</c>: what loads, from where, and the hash of each assembly.</summary>
internal static class PluginsCommand
{
    public static Command Create(HostEnvironment env)
    {
        var scenario = new ScenarioArguments();
        var command = new Command("plugins", "List the plugins loaded at run time: name, version, contract, path, SHA-256.");
        var json = JsonOutput.Create();
        scenario.AddTo(command);
        command.Options.Add(json);
        command.SetAction(parse =>
        {
            var session = scenario.Open(parse, env);
            if (parse.GetValue(json))
            {
                JsonOutput.Write(env.Out, new System.Text.Json.Nodes.JsonArray(session.Plugins.Select(p => (System.Text.Json.Nodes.JsonNode?)new System.Text.Json.Nodes.JsonObject
                {
                    ["name"] = p.Plugin.Name,
                    ["version"] = p.Plugin.Version.ToString(),
                    ["contractVersion"] = p.Plugin.ContractVersion.ToString(),
                    ["path"] = p.AssemblyPath,
                    ["sha256"] = p.Sha256,
                }).ToArray()));
            }
            else
            {
                PluginTable.Write(env.Out, session.Plugins);
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
