using System.Text.Json.Nodes;
using Emu.Tests.Host;

namespace Emu.Tests.Schedulers;

/// <summary>Core's watchdog, as sched_ext's: a policy that starves a task is stopped, or replaced by the configured fallback.</summary>
public class WatchdogTests
{
    private static string TestPlugins => Path.Combine(AppContext.BaseDirectory, "testplugins");

    private static string[] Starving(params string[] extra) => new[]
    {
        "--set", $"Plugins:Directories:0={TestPlugins}",
        "--set", "Scheduler:Policy=TestFifo",
        "--set", "Scheduler:TestFifo:Starve=1",
        "--set", "Scheduler:WatchdogUs=500",
    }.Concat(extra).ToArray();

    [Test]
    public void StarvedTask_StopsTheRun_NamingThePolicyAndTheTask()
    {
        using var cli = new Cli();
        var (code, stdout, stderr) = cli.RunShort(Starving());
        Assert.That(code, Is.EqualTo(1), "a run stopped by a check exits 1");
        string all = stdout + stderr;
        Assert.That(all, Does.Contain("watchdog").And.Contain("policy 'TestFifo'").And.Contain("vCPU 1 of VM 'vm0'"));
        var r = cli.Result();
        Assert.That((bool)r["completed"]!, Is.False);
        Assert.That((string)r["failure"]!, Does.Contain("Scheduler:WatchdogUs = 500"));
    }

    [Test]
    public void StarvedTask_WithAFallback_SwitchesPolicy_AndTheRunCompletes()
    {
        using var cli = new Cli();
        var (code, stdout, stderr) = cli.RunShort(Starving("--set", "Scheduler:WatchdogFallback=Fair"));
        Assert.That(code, Is.EqualTo(0), stderr);
        Assert.That(stdout, Does.Contain("TestFifo, then Fair from").And.Contain("vCPU 1 of VM 'vm0' starved"));
        var r = cli.Result();
        Assert.That((bool)r["completed"]!, Is.True);
        Assert.That((string)r["scheduler"]!, Is.EqualTo("TestFifo"), "the configured policy is reported");
        var fallback = r["schedulerFallback"]!;
        Assert.That((string)fallback["from"]!, Is.EqualTo("TestFifo"));
        Assert.That((string)fallback["to"]!, Is.EqualTo("Fair"));
        Assert.That((int)fallback["task"]!, Is.EqualTo(1));
        Assert.That((long)fallback["timeNs"]!, Is.InRange(500_000L, 1_000_000L), "caught within 1.25 x the limit (the watchdog looks every quarter limit)");

        var starved = r["tasks"]!.AsArray().Single(t => (int)t!["id"]! == 1)!;
        Assert.That((long)starved["onCpuNs"]!, Is.GreaterThan(1_000_000), "the starved vCPU ran once the fallback took over");
    }

    [Test]
    public void WithoutStarvation_TheFallbackIsNeverUsed()
    {
        using var cli = new Cli();
        Assert.That(cli.RunShort("--set", "Scheduler:WatchdogFallback=RoundRobin").Code, Is.EqualTo(0));
        Assert.That(cli.Result()["schedulerFallback"], Is.Null);
    }
}
