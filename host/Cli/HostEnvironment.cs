namespace Emu.Host.Cli;

/// <summary>What a command runs against: its writers and folders (replaceable so tests run the CLI in-process).</summary>
internal sealed record HostEnvironment(TextWriter Out, TextWriter Error, string HostDirectory, string CurrentDirectory);
