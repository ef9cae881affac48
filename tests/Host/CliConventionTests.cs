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
        var (code, stdout, stderr) = cli.RunShort("--verbosity", "minimal");
        Assert.That(code, Is.EqualTo(0));
        Assert.That(stdout, Is.Empty);
        Assert.That(stderr.Trim(), Is.EqualTo($"result: {cli.ResultFile}"));
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

/// <summary>Results on stdout, status on stderr, --json for scripts.</summary>
public class CliJsonTests
{
    [Test]
    public void Run_Json_IsTheResultOnStdout_StatusOnStderr()
    {
        using var cli = new Cli();
        var (code, stdout, stderr) = cli.RunShort("--json");
        Assert.That(code, Is.EqualTo(0), stderr);
        var printed = System.Text.Json.Nodes.JsonNode.Parse(stdout)!;
        Assert.That((long)printed["totals"]!["ipisSent"]!, Is.EqualTo((long)cli.Result()["totals"]!["ipisSent"]!));
        Assert.That(stderr, Does.Contain("result: "), "the path written is status: stderr");
    }

    [Test]
    public void Validate_Json_SaysValidOrListsTheErrors()
    {
        using var cli = new Cli();
        var (ok, okOut, _) = cli.Run("validate", "--json");
        Assert.That(ok, Is.EqualTo(0));
        Assert.That((bool)System.Text.Json.Nodes.JsonNode.Parse(okOut)!["valid"]!, Is.True);
        var (bad, badOut, badErr) = cli.Run("validate", "--json", "--set", "Simulation:DurationUs=0");
        Assert.That(bad, Is.EqualTo(2));
        var verdict = System.Text.Json.Nodes.JsonNode.Parse(badOut)!;
        Assert.That((bool)verdict["valid"]!, Is.False);
        Assert.That((string)verdict["errors"]![0]!, Does.StartWith("Simulation:DurationUs: must be between"));
        Assert.That(badErr, Does.StartWith("error: "));
    }

    [Test]
    public void Plugins_And_Compare_Json()
    {
        using var cli = new Cli();
        var (_, plugins, _) = cli.Run("plugins", "--json");
        Assert.That(System.Text.Json.Nodes.JsonNode.Parse(plugins)!.AsArray().Select(p => (string)p!["name"]!), Is.EquivalentTo(new[] { "NestedSvm", "Schedulers", "Svm" }));
        string a = Path.Combine(cli.WorkDir, "a"), b = Path.Combine(cli.WorkDir, "b");
        cli.Run("run", "-q", "--out", a, "--set", "Simulation:DurationUs=500");
        cli.Run("run", "-q", "--out", b, "--set", "Simulation:DurationUs=500", "--set", "Svm:AvicDoorbellStrict=false");
        var (code, compare, _) = cli.Run("compare", "--json", a, b);
        Assert.That(code, Is.EqualTo(0));
        var c = System.Text.Json.Nodes.JsonNode.Parse(compare)!;
        Assert.That((string)c["configuration"]!["Svm:AvicDoorbellStrict"]!["b"]!, Is.EqualTo("false"));
        Assert.That(c["totals"]!["totals.vmExits.total"]!["a"], Is.Not.Null);
    }

    [Test]
    public void Quiet_IsMinusQ()
    {
        using var cli = new Cli();
        var (code, stdout, stderr) = cli.RunShort("-q");
        Assert.That(code, Is.EqualTo(0));
        Assert.That(stdout + stderr, Is.Empty);
    }

    [Test]
    public void ASweepsStdout_IsItsTableAlone()
    {
        using var cli = new Cli();
        var (code, stdout, stderr) = cli.Run("sweep", "--out", Path.Combine(cli.WorkDir, "sw"), "--set", "Simulation:DurationUs=300", "--vary", "Svm:AvicDoorbellStrict=true,false");
        Assert.That(code, Is.EqualTo(0), stderr);
        Assert.That(stdout, Does.Not.Contain("ETA").And.Not.Contain("sweep: ").And.Not.Contain("ran "), "progress is on stderr");
        Assert.That(stderr, Does.Contain("ETA"));
        Assert.That(stdout, Does.Contain("VM exits"));
    }

    [Test]
    public void ALoggingSection_IsRefused_NotIgnored()
    {
        using var cli = new Cli();
        var (code, _, stderr) = cli.RunShort("--set", "Logging:LogLevel:Default=Debug");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain("Logging: Emu has no Microsoft.Extensions.Logging output to configure"));
    }
}
