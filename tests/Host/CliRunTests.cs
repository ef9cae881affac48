using System.Text.Json.Nodes;

namespace Emu.Tests.Host;

public class CliRunTests
{
    [Test]
    public void Run_DefaultScenario_PrintsSummary_AndWritesResultJson()
    {
        using var cli = new Cli();
        var (code, stdout, stderr) = cli.RunShort();
        Assert.That(code, Is.EqualTo(0), stderr);
        Assert.That(stdout, Does.Contain("IPIs sent / delivered").And.Contain("avic-strict").And.Contain("lost wake-ups"));
        var r = cli.Result();
        Assert.That((int)r["schemaVersion"]!, Is.EqualTo(1));
        Assert.That((bool)r["completed"]!, Is.True);
        Assert.That((long)r["simulatedNs"]!, Is.EqualTo(2_000_000));
        Assert.That((long)r["totals"]!["ipisSent"]!, Is.GreaterThan(0));
        Assert.That((string)r["config"]!["Vms"]![0]!["Name"]!, Is.EqualTo("vm0"), "the effective config is recorded");
    }

    [Test]
    public void Run_SameConfigAndSeedTwice_GivesIdenticalResults_ButWallSeconds()
    {
        using var cli = new Cli();
        Assert.That(cli.RunShort().Code, Is.EqualTo(0));
        var first = cli.Result();
        Assert.That(cli.RunShort().Code, Is.EqualTo(0));
        var second = cli.Result();
        first.AsObject().Remove("wallSeconds");
        second.AsObject().Remove("wallSeconds");
        Assert.That(second.ToJsonString(), Is.EqualTo(first.ToJsonString()));

        Assert.That(cli.RunShort("--set", "Simulation:Seed=7").Code, Is.EqualTo(0));
        var other = cli.Result();
        Assert.That((long)other["totals"]!["ipisSent"]!, Is.Not.EqualTo((long)first["totals"]!["ipisSent"]!), "the seed matters");
    }

    [Test]
    public void Layers_ApplyInOrder_HostFile_WorkingFolder_Config_Environment_Set()
    {
        using var cli = new Cli();

        // The working folder's appsettings.json overrides the host's (Seed 42 there).
        cli.Write("appsettings.json", """{ "Simulation": { "Seed": 1, "WarmupUs": 5 } }""");
        Assert.That(Config(cli)["Simulation"]!["Seed"]!.GetValue<long>(), Is.EqualTo(1));

        // --config overrides the working folder.
        string file = cli.Write("scenario.json", """{ "Simulation": { "Seed": 2 } }""");
        Assert.That(Config(cli, "--config", file)["Simulation"]!["Seed"]!.GetValue<long>(), Is.EqualTo(2));
        Assert.That(Config(cli, "--config", file)["Simulation"]!["WarmupUs"]!.GetValue<long>(), Is.EqualTo(5), "untouched keys survive");

        // EMU_ variables override files; --set overrides them.
        Environment.SetEnvironmentVariable("EMU_Simulation__Seed", "3");
        try
        {
            Assert.That(Config(cli, "--config", file)["Simulation"]!["Seed"]!.GetValue<long>(), Is.EqualTo(3));
            Assert.That(Config(cli, "--config", file, "--set", "Simulation:Seed=4")["Simulation"]!["Seed"]!.GetValue<long>(), Is.EqualTo(4));
        }
        finally
        {
            Environment.SetEnvironmentVariable("EMU_Simulation__Seed", null);
        }
    }

    [Test]
    public void ConfigFile_WithVms_ReplacesTheDefaultVms_InsteadOfMergingThem()
    {
        using var cli = new Cli();
        string file = cli.Write("two.json", """
            { "Vms": [ { "Name": "a", "Vcpus": 2, "Workload": { "Kind": "PingPong" } },
                       { "Name": "b", "Vcpus": 2, "Workload": { "Kind": "Idle" } } ] }
            """);
        string one = cli.Write("one.json", """{ "Vms": [ { "Name": "solo", "Vcpus": 2, "Workload": { "Kind": "Mixed" } } ] }""");
        cli.Write("appsettings.json", File.ReadAllText(file));
        var vms = Config(cli, "--config", one)["Vms"]!.AsArray();
        Assert.That(vms, Has.Count.EqualTo(1));
        Assert.That((string)vms[0]!["Name"]!, Is.EqualTo("solo"));
        Assert.That(vms[0]!["Workload"]!["Kind"]!.GetValue<string>(), Is.EqualTo("Mixed"));
    }

    [Test]
    public void Help_IsThereForEveryCommand()
    {
        using var cli = new Cli();
        foreach (string command in new[] { "run", "validate", "plugins" })
        {
            var (code, stdout, _) = cli.Run(command, "--help");
            Assert.That(code, Is.EqualTo(0), command);
            Assert.That(stdout, Does.Contain("--config").And.Contain("--set"), command);
        }

        Assert.That(cli.Run("run", "--help").Out, Does.Contain("--out"));
        Assert.That(cli.Run("--help").Out, Does.Contain("run").And.Contain("validate").And.Contain("plugins"));
    }

    /// <summary>Every subcommand is listed by the root help and has its own; a misspelt one is named in the error.</summary>
    [Test]
    public void EveryCommand_IsListedAtTheRoot_AndHasItsOwnHelp_AndAnUnknownOneIsNamed()
    {
        using var cli = new Cli();
        string[] commands = ["run", "validate", "plugins", "sweep", "merge", "compare", "bench", "import"];
        string rootHelp = cli.Run("--help").Out;
        foreach (string command in commands)
        {
            Assert.That(rootHelp, Does.Contain("\n  " + command + " "), command);
            var (code, stdout, _) = cli.Run(command, "--help");
            Assert.That(code, Is.EqualTo(0), command);
            Assert.That(stdout, Does.Contain(" " + command + " ").And.Contain("Usage:").And.Not.Contain("Commands:"), command);
        }

        var (unknown, _, error) = cli.Run("rn", "--config", "x.json");
        Assert.That(unknown, Is.EqualTo(2));
        Assert.That(error, Does.Contain("'rn'"));
    }

    [Test]
    public void Validate_AGoodScenario_SaysSo_AndWritesNothing()
    {
        using var cli = new Cli();
        var (code, stdout, stderr) = cli.Run("validate");
        Assert.That(code, Is.EqualTo(0), stderr);
        Assert.That(stdout, Does.Contain("valid: 1 VM(s), 8 vCPU(s) on 8 pCPU(s)"));
        Assert.That(Directory.Exists(cli.OutDir), Is.False);
    }

    [Test]
    public void Dump_PrintsTheAvicTablesInHex_MatchingTheRunningState()
    {
        using var cli = new Cli();
        var (code, stdout, stderr) = cli.Run("run", "--out", cli.OutDir, "--dump", "--set", "Simulation:DurationUs=50", "--set", "Vms:0:Workload:Halt=0",
            "--set", "Vms:0:Workload:UserspaceExit=0");
        Assert.That(code, Is.EqualTo(0), stderr);
        Assert.That(stdout, Does.Contain("AVIC tables").And.Contain("physical APIC ID table (8 entries)"));

        // Pinned vCPU i runs on pCPU i, whose APIC ID is 2i on 4 cores x 2 threads; all compute, so all are running.
        for (int i = 0; i < 8; i++)
        {
            ulong entry = 0xC000_0000_0000_0000UL | (0x1_0000_0000UL + ((ulong)i << 12)) | (uint)((2 * (i % 4)) + (i / 4));
            Assert.That(stdout, Does.Contain($"[{i:X2}] 0x{entry:X16} (valid=1 running=1"), $"vCPU {i}");
        }

        Assert.That(stdout, Does.Contain("backing pages"));
    }

    private static JsonNode Config(Cli cli, params string[] args)
    {
        var (code, _, stderr) = cli.RunShort(args);
        Assert.That(code, Is.EqualTo(0), stderr);
        return cli.Result()["config"]!;
    }
}
