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
}
