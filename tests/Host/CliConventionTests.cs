namespace Emu.Tests.Host;

/// <summary>The command line's conventions, as dotnet's: -v|--verbosity levels, --verbose for stack traces, placeholders in help.</summary>
public class CliConventionTests
{
    [Test]
    public void Quiet_PrintsNothingOnSuccess()
    {
        using var cli = new Cli();
        var (code, stdout, stderr) = cli.RunShort("-v", "q");
        Assert.That(code, Is.EqualTo(0), stderr);
        Assert.That(stdout, Is.Empty);
        Assert.That(File.Exists(cli.ResultFile), Is.True);
    }

    [Test]
    public void Minimal_PrintsOnlyWhatItWrote()
    {
        using var cli = new Cli();
        var (code, stdout, _) = cli.RunShort("--verbosity", "minimal");
        Assert.That(code, Is.EqualTo(0));
        Assert.That(stdout.Trim(), Is.EqualTo($"result: {cli.ResultFile}"));
    }

    [Test]
    public void Diagnostic_ShowsTheStackTraceOfAnError_AsVerboseDoes()
    {
        using var cli = new Cli();
        var (code, _, stderr) = cli.RunShort("-v", "diag", "--set", "Simulation:DurationUs=0");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain("   at "));
        var (normal, _, plain) = cli.RunShort("--set", "Simulation:DurationUs=0");
        Assert.That(normal, Is.EqualTo(2));
        Assert.That(plain, Does.Not.Contain("   at "));
    }

    [Test]
    public void AnUnknownLevel_IsRefused()
    {
        using var cli = new Cli();
        var (code, _, stderr) = cli.RunShort("-v", "loud");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain("--verbosity 'loud': expected quiet, minimal, normal, detailed or diagnostic"));
    }

    [Test]
    public void Help_SaysWhatGoesInEachValue()
    {
        using var cli = new Cli();
        var (_, help, _) = cli.Run("run", "--help");
        Assert.That(help, Does.Contain("--trace-limit <N>").And.Contain("--out <DIR>").And.Contain("--trace <FILE>").And.Contain("--verbosity <LEVEL>"));
        Assert.That(help, Does.Not.Contain("<trace-limit>"), "a placeholder says what goes there, not the option's name again");
    }

    [Test]
    public void AnUnknownCommand_SaysSo()
    {
        using var cli = new Cli();
        var (code, _, stderr) = cli.Run("fly");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain("'fly'"));
        Assert.That(stderr, Does.Contain("emu --help"));
    }
}
