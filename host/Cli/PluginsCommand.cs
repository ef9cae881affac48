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
        scenario.AddTo(command);
        command.SetAction(parse =>
        {
            var session = scenario.Open(parse, env);
            PluginTable.Write(env.Out, session.Plugins);
            return ExitCodes.Success;
        });
        return command;
    }
}
