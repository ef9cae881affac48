using System.CommandLine;

namespace Emu.Host.Cli;

/// <summary>The options of every command that reads a scenario: --config and --set.</summary>
internal sealed class ScenarioArguments
{
    public Option<FileInfo?> Config { get; } = new("--config", "-c")
    {
        Description = "A scenario JSON file layered over appsettings.json.",
        HelpName = "FILE",
    };

    public Option<string[]> Set { get; } = new("--set", "-s")
    {
        Description = "Overrides one key, e.g. --set Svm:AvicDoorbellStrict=false (repeatable).",
        HelpName = "Section:Key=value",
        Arity = ArgumentArity.ZeroOrMore,
        DefaultValueFactory = _ => Array.Empty<string>(),
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Config);
        command.Options.Add(Set);
    }

    public ScenarioSession Open(ParseResult parse, HostEnvironment env) =>
        ScenarioSession.Open(env, parse.GetValue(Config)?.ToString(), parse.GetValue(Set) ?? Array.Empty<string>());
}
