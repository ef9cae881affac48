namespace Emu.Host.Configuration;

/// <summary>Where a scenario comes from: the files and overrides of one command line.</summary>
/// <param name="HostDirectory">The folder of the host; its appsettings.json and plugins/ come first.</param>
/// <param name="CurrentDirectory">The working folder; its appsettings.json overrides the host's.</param>
/// <param name="ConfigFile">--config FILE, or null.</param>
/// <param name="Sets">--set Section:Key=value, in order.</param>
internal sealed record ScenarioSources(string HostDirectory, string CurrentDirectory, string? ConfigFile, IReadOnlyList<string> Sets);
