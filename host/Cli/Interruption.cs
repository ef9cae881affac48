using System.Runtime.InteropServices;

namespace Emu.Host.Cli;

/// <summary>
/// Ctrl-C (SIGINT) and SIGTERM as a request to stop: a run stops at the current event and keeps what it has (a
/// result marked incomplete, a valid trace), a sweep keeps its finished points; the command then exits with 130.
/// A second Ctrl-C aborts at once. Commands poll <see cref="Requested"/> between steps or use <see cref="Token"/>.
/// </summary>
internal sealed class Interruption : IDisposable
{
    /// <summary>The exit code of a command stopped by a signal (128 + SIGINT), as shells report it.</summary>
    public const int ExitCode = 130;

    private readonly CancellationTokenSource _cts = new();
    private readonly List<IDisposable> _registrations = new();
    private volatile string? _signal;

    /// <summary>The signal that asked to stop (SIGINT, SIGTERM), or null.</summary>
    public string? Signal => _signal;

    public bool Requested => _signal is not null;

    public CancellationToken Token => _cts.Token;

    /// <summary>Installs the process's handlers (the real CLI); in-process tests call <see cref="Request"/> instead.</summary>
    public static Interruption ForProcess()
    {
        // PosixSignalRegistration rather than Console.CancelKeyPress: the latter initialises the terminal (terminfo),
        // about 15 ms of a trivial run that may never touch it (issue 19). SIGINT is what Ctrl-C sends on every platform .NET maps.
        var interruption = new Interruption();
        interruption._registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGINT, interruption.OnSigint));
        interruption._registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx =>
        {
            ctx.Cancel = true; // stop cleanly instead of being killed
            interruption.Request("SIGTERM");
        }));
        return interruption;
    }

    /// <summary>Asks every command to stop (the first request wins).</summary>
    public void Request(string signal)
    {
        if (Interlocked.CompareExchange(ref _signal, signal, null) is null)
        {
            _cts.Cancel();
        }
    }

    public void Dispose()
    {
        foreach (var r in _registrations)
        {
            r.Dispose();
        }

        _cts.Dispose();
    }

    private void OnSigint(PosixSignalContext context)
    {
        if (Requested)
        {
            Environment.Exit(ExitCode); // the second Ctrl-C: abort now
        }

        context.Cancel = true;
        Request("SIGINT");
    }
}
