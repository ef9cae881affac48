namespace Emu.Tests.Host;

/// <summary>`emu` as a real process: the exit code and streams a shell sees.</summary>
public class CliProcessTests
{
    [Test]
    public void Emu_AsAProcess_RunsTheDefaultScenario()
    {
        using var cli = new Cli();
        var (code, stdout, stderr) = EmuProcess.Run(cli.WorkDir, null, "run", "--out", "out", "--set", "Simulation:DurationUs=1000");
        Assert.That(code, Is.EqualTo(0), stderr);
        Assert.That(stdout, Does.Contain("IPIs sent / delivered"));
        Assert.That(File.Exists(cli.ResultFile), Is.True);
    }

    [Test]
    public void Emu_AsAProcess_ExitsWith2_AndNoStackTrace_OnBadInput()
    {
        using var cli = new Cli();
        var (code, stdout, stderr) = EmuProcess.Run(cli.WorkDir, null, "run", "--out", "out", "--set", "Scheduler:Policy=Lottery");
        Assert.That(code, Is.EqualTo(2), stdout);
        Assert.That(stderr.Trim(), Is.EqualTo("error: Scheduler:Policy: unknown policy 'Lottery' (known: Pinned, RoundRobin, Fair, SmtPack, SmtSpread, NumaLocal, Random) (from --set)"));
        Assert.That(Directory.Exists(cli.OutDir), Is.False);
    }

    [Test]
    public void Emu_AsAProcess_RunsWithoutDynamicCode_AndItsStartupWarmupSucceeds()
    {
        // emu's runtimeconfig turns Reflection.Emit off (start-up, issue 19): the process run above depends on it.
        string runtimeConfig = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "emu.runtimeconfig.json"));
        Assert.That(runtimeConfig, Does.Contain("\"System.Runtime.CompilerServices.RuntimeFeature.IsDynamicCodeSupported\": false"));

        // The warm-up swallows its failures (the run redoes the work): here it must not have any.
        Assert.DoesNotThrow(Emu.Host.Cli.StartupWarmup.Warm);
        Assert.DoesNotThrow(Emu.Host.Cli.StartupWarmup.Warm); // idempotent: a second run of it is harmless
    }
}
