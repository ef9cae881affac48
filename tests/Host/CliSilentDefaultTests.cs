namespace Emu.Tests.Host;

/// <summary>
/// Input that used to be accepted silently (issue "Faults and bad input"): each is exit 2 with one line naming the
/// key, the value and where it came from, or — for a workload's kind — now simply works.
/// </summary>
public class CliSilentDefaultTests
{
    private static void Refused(Cli cli, (int Code, string Out, string Err) run, string expected) => CliBadInputTests.AssertRefused(cli, run, expected);

    [Test]
    public void AnEmptyVmList_IsRefused_NotReplacedByTheDefaultVm()
    {
        using var cli = new Cli();
        string file = cli.Write("novms.json", """{ "Vms": [] }""");
        Refused(cli, cli.RunShort("--config", file), "Vms: at least one VM is required");
    }

    [Test]
    public void AnEmptySetValue_IsRefused()
    {
        using var cli = new Cli();
        Refused(cli, cli.RunShort("--set", "Simulation:Seed="), "Simulation:Seed: empty value (from --set Simulation:Seed=)");
    }

    [Test]
    public void AnEmptyEnvironmentVariable_IsRefused_NamingIt()
    {
        using var cli = new Cli();
        var (code, _, stderr) = EmuProcess.Run(cli.WorkDir, new Dictionary<string, string> { ["EMU_Simulation__Seed"] = "" }, "run", "--out", "out", "--set", "Simulation:DurationUs=1000");
        Assert.That(code, Is.EqualTo(2), stderr);
        Assert.That(stderr.Trim(), Is.EqualTo("error: Simulation:Seed: empty value (from EMU_Simulation__Seed); give a value, or leave the key out for its default"));
    }

    [Test]
    public void AnEnvironmentVariable_IsNamedAsTheSourceOfABadValue()
    {
        using var cli = new Cli();
        var (code, _, stderr) = EmuProcess.Run(cli.WorkDir, new Dictionary<string, string> { ["EMU_Simulation__DurationUs"] = "0" }, "run", "--out", "out");
        Assert.That(code, Is.EqualTo(2), stderr);
        Assert.That(stderr.Trim(), Does.EndWith("(from EMU_Simulation__DurationUs)"));
    }

    [Test]
    public void ASectionGivenAValue_IsRefused()
    {
        using var cli = new Cli();
        string file = cli.Write("scalar.json", "{\n  \"Simulation\": 5\n}");
        Refused(cli, cli.RunShort("--config", file), "scalar.json: line 2, column 17: 'Simulation' is a section, but the file gives it a single value (5)");
        Refused(cli, cli.RunShort("--set", "Simulation=5"), "Simulation: is a section");
    }

    [Test]
    public void ADuplicateSection_IsRefused()
    {
        using var cli = new Cli();
        string file = cli.Write("twice.json", "{\n  \"Simulation\": { \"Seed\": 1 },\n  \"simulation\": { \"DurationUs\": 5 }\n}");
        Refused(cli, cli.RunShort("--config", file), "twice.json: line 3, column 3: 'simulation' is given twice");
    }

    [Test]
    public void BytesThatAreNotUtf8_AreRefused()
    {
        using var cli = new Cli();
        string file = Path.Combine(cli.WorkDir, "latin1.json");
        File.WriteAllBytes(file, [.. "{ \"Vms\": [ { \"Name\": \"caf"u8.ToArray(), 0xE9, .. "\" } ] }"u8.ToArray()]);
        Refused(cli, cli.RunShort("--config", file), "latin1.json: line 1, column 26: not UTF-8 (byte 0xE9)");
    }

    [Test]
    public void AStringThatIsNotText_IsRefused()
    {
        using var cli = new Cli();
        string file = cli.Write("surrogate.json", "{ \"Vms\": [ { \"Name\": \"\\uDC00\" } ] }");
        Refused(cli, cli.RunShort("--config", file), "surrogate.json: not a valid JSON configuration");
    }

    [Test]
    public void AJsonSyntaxError_NamesLineAndColumn()
    {
        using var cli = new Cli();
        string file = cli.Write("broken.json", "{\n  \"Simulation\": { \"Seed\": 1 }\n  \"Topology\": {}\n}");
        Refused(cli, cli.RunShort("--config", file), "broken.json: line 3, column 3: JSON syntax error");
    }

    [Test]
    public void AHugeVmName_IsRefused_BeforeAnythingIsBuilt()
    {
        using var cli = new Cli();
        string file = cli.Write("name.json", $$"""{ "Vms": [ { "Name": "{{new string('x', 5_000_000)}}", "Vcpus": 2 } ] }""");
        Refused(cli, cli.RunShort("--config", file), "Vms:0:Name: must be 1 to 64 characters (from ");
    }

    [Test]
    public void AValueFromAFile_NamesTheFileAndLine()
    {
        using var cli = new Cli();
        string file = cli.Write("bad.json", "{\n  \"Simulation\": {\n    \"WarmupUs\": -5\n  }\n}");
        Refused(cli, cli.RunShort("--config", file), $"Simulation:WarmupUs: must be between 0 and 3600000000 microseconds (from {file} line 3)");
    }

    [Test]
    public void ALooseDllInAPluginDirectory_IsRefused()
    {
        using var cli = new Cli();
        string dir = Path.Combine(cli.WorkDir, "more-plugins");
        Directory.CreateDirectory(dir);
        File.WriteAllBytes(Path.Combine(dir, "Lottery.dll"), new byte[] { 0x4D, 0x5A });
        Refused(cli, cli.RunShort("--set", $"Plugins:Directories:0={dir}"), "Lottery.dll lies loose at the top");
    }

    [Test]
    public void ChangingAWorkloadsKind_DropsTheOldKindsKeys()
    {
        // appsettings.json gives vm0 a Mixed workload with Mixed's keys; PingPong knows none of them.
        using var cli = new Cli();
        var (code, _, stderr) = cli.RunShort("--set", "Vms:0:Workload:Kind=PingPong");
        Assert.That(code, Is.EqualTo(0), stderr);
        Assert.That((string)cli.Result()["config"]!["Vms"]![0]!["Workload"]!["Kind"]!, Is.EqualTo("PingPong"));
        Assert.That(cli.Result()["config"]!["Vms"]![0]!["Workload"]!["Ipi"], Is.Null, "Mixed's keys are gone");
    }
}
