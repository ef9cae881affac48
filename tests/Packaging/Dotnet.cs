using System.Diagnostics;

namespace Emu.Tests.Packaging;

/// <summary>Runs the real `dotnet` CLI, as a user would, with build servers off so no process outlives the call.</summary>
internal static class Dotnet
{
    public static (int Code, string Output) Run(string workDir, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        // The test host's own MSBuild settings must not leak into a user's build.
        foreach (string key in psi.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            psi.Environment.Remove(key);
        }

        psi.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        psi.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";

        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {string.Join(' ', args)} did not finish in 5 minutes");
        }

        return (p.ExitCode, stdout + stderr.Result);
    }

    public static string Ok(string workDir, params string[] args)
    {
        var (code, output) = Run(workDir, args);
        Assert.That(code, Is.EqualTo(0), $"dotnet {string.Join(' ', args)}:\n{output}");
        return output;
    }
}
