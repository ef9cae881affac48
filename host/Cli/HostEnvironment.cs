namespace Emu.Host.Cli;

/// <summary>What a command runs against: its writers and folders (replaceable so tests run the CLI in-process).</summary>
internal sealed record HostEnvironment(TextWriter Out, TextWriter Error, string HostDirectory, string CurrentDirectory)
{
    /// <summary>Ctrl-C and SIGTERM (a fresh, never-signalled one unless the process or a test supplies it).</summary>
    public Interruption Interruption { get; init; } = new();

    /// <summary>How much commands print (-v|--verbosity); set once the command line is parsed.</summary>
    public Verbosity Verbosity { get; set; } = Verbosity.Normal;
}
