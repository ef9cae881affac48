namespace Emu.Host.Cli;

/// <summary>The exit codes of <c>emu</c>.</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The run stopped on a broken model invariant: a finding, written to result.json.</summary>
    public const int RunFailed = 1;

    /// <summary>Bad input: configuration, arguments, a plugin that cannot load or throws.</summary>
    public const int BadInput = 2;
}
