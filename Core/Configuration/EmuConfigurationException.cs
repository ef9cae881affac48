namespace Emu.Core.Configuration;

/// <summary>A user error in the scenario or the plugins: shown as one line per message, exit code 2.</summary>
public sealed class EmuConfigurationException : Exception
{
    public EmuConfigurationException(string message)
        : base(message)
    {
        Errors = new[] { message };
    }

    public EmuConfigurationException(IReadOnlyList<string> errors)
        : base(string.Join(Environment.NewLine, errors))
    {
        Errors = errors;
    }

    public EmuConfigurationException()
        : this("invalid configuration")
    {
    }

    public EmuConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = new[] { message };
    }

    public IReadOnlyList<string> Errors { get; }
}
