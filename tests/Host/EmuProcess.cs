using System.Diagnostics;
using System.Globalization;

namespace Emu.Tests.Host;

/// <summary>`emu` as a real child process (the built emu.dll under `dotnet`), with both streams read as it runs.</summary>
internal sealed class EmuProcess : IDisposable
{
    private readonly Process _process;

    private EmuProcess(Process process)
    {
        _process = process;
        Out = process.StandardOutput.ReadToEndAsync();
        Err = process.StandardError.ReadToEndAsync();
    }

    public Task<string> Out { get; }

    public Task<string> Err { get; }

    public int ExitCode => _process.ExitCode;

    public static EmuProcess Start(string workDir, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = workDir, RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "emu.dll"));
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[key] = value;
        }

        return new EmuProcess(Process.Start(psi)!);
    }

    /// <summary>Runs to the end (at most two minutes): exit code and both streams.</summary>
    public static (int Code, string Out, string Err) Run(string workDir, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        using var p = Start(workDir, environment, args);
        Assert.That(p.WaitForExit(120_000), Is.True, "emu did not finish");
        return (p.ExitCode, p.Out.Result, p.Err.Result);
    }

    public bool WaitForExit(int milliseconds) => _process.WaitForExit(milliseconds);

    /// <summary>Sends a signal as a shell's `kill -INT` does.</summary>
    public void Signal(string signal)
    {
        using var kill = Process.Start("kill", new[] { "-" + signal, _process.Id.ToString(CultureInfo.InvariantCulture) })!;
        kill.WaitForExit();
    }

    public void Dispose() => _process.Dispose();
}
