using System.Diagnostics;
using System.Text.Json.Nodes;
using Emu.Host.Cli;

namespace Emu.Tests.Host;

/// <summary>Ctrl-C and SIGTERM: the run stops where it is, keeps an incomplete result and a valid trace, exits 130.</summary>
public class CliInterruptionTests
{
    [Test]
    public void Interrupted_WritesAnIncompleteResult_AndAValidTrace_AndExits130()
    {
        using var cli = new Cli();
        using var interruption = new Interruption();
        interruption.Request("SIGINT"); // before the first event: the run stops at once
        string trace = Path.Combine(cli.WorkDir, "t.json");
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int code = EmuCli.Run(new[] { "run", "--out", cli.OutDir, "--trace", trace }, stdout, stderr, Cli.HostDir, cli.WorkDir, interruption);
        Assert.That(code, Is.EqualTo(130), stderr.ToString());
        var result = cli.Result();
        Assert.That((bool)result["completed"]!, Is.False);
        Assert.That((string)result["failure"]!, Does.StartWith("interrupted by SIGINT at 0 ns of "));
        Assert.That(stderr.ToString().Split('\n').Count(l => l.StartsWith("error: ", StringComparison.Ordinal)), Is.EqualTo(1), "one error line (the trace and result paths are status lines)");
        Assert.That(JsonNode.Parse(File.ReadAllText(trace))!["traceEvents"], Is.Not.Null, "the trace is closed and valid");
        Assert.That(Directory.GetFiles(cli.WorkDir, "*.tmp", SearchOption.AllDirectories), Is.Empty, "no temporary file left");
    }

    [TestCase("INT", "SIGINT")]
    [TestCase("TERM", "SIGTERM")]
    public void ASignal_StopsARealRun_AtTheCurrentEvent(string signal, string name)
    {
        using var cli = new Cli();
        using var p = EmuProcess.Start(cli.WorkDir, null, "run", "--out", "out", "--trace", "t.json", "--trace-limit", "1000", "--set", "Simulation:DurationUs=600000000");
        var stderr = p.Err;
        Thread.Sleep(3000); // started, and well inside a 600 s simulation
        p.Signal(signal);

        Assert.That(p.WaitForExit(60_000), Is.True, "emu did not stop");
        Assert.That(p.ExitCode, Is.EqualTo(130), stderr.Result);
        Assert.That(stderr.Result, Does.Contain($"interrupted by {name} at "));
        var result = cli.Result();
        Assert.That((bool)result["completed"]!, Is.False);
        Assert.That((long)result["simulatedNs"]!, Is.GreaterThan(0).And.LessThan(600_000_000_000L));
        Assert.That(JsonNode.Parse(File.ReadAllText(Path.Combine(cli.WorkDir, "t.json"))), Is.Not.Null);
        Assert.That(stderr.Result, Does.Contain("result: "));
    }

    [Test]
    public void Sigint_StopsARealSweep_KeepingItsFinishedPoints()
    {
        using var cli = new Cli();
        using var p = EmuProcess.Start(cli.WorkDir, null, "sweep", "--out", "sw", "--jobs", "1", "--replications", "400", "--set", "Simulation:DurationUs=2000");
        var stderr = p.Err;
        string points = Path.Combine(cli.WorkDir, "sw", "points");
        for (int i = 0; i < 600 && (!Directory.Exists(points) || Directory.GetFiles(points, "*.json").Length < 3); i++)
        {
            Thread.Sleep(100);
        }

        p.Signal("INT");

        Assert.That(p.WaitForExit(60_000), Is.True);
        Assert.That(p.ExitCode, Is.EqualTo(130), stderr.Result);
        int kept = Directory.GetFiles(points, "*.json").Length;
        Assert.That(kept, Is.InRange(3, 399));
        Assert.That(stderr.Result, Does.Contain($"interrupted: kept {kept} of 400 point(s)"));
        Assert.That(Directory.GetFiles(Path.Combine(cli.WorkDir, "sw"), "*.tmp", SearchOption.AllDirectories), Is.Empty);
    }

    [Test]
    public void ASecondSigint_AbortsAtOnce()
    {
        // A sweep waits for its running point after the first Ctrl-C; a point of most of a minute leaves time for a
        // second. (Points of 3 simulated seconds took 2.3 s once Emu's assemblies were optimised in Debug builds too,
        // and the first Ctrl-C fell between two points: the sweep stopped cleanly before the second came.)
        using var cli = new Cli();
        using var p = EmuProcess.Start(cli.WorkDir, null, "sweep", "--out", "sw", "--jobs", "1", "--replications", "3", "--set", "Simulation:DurationUs=60000000");
        var stderr = p.Err;
        Thread.Sleep(2500); // into the first point
        p.Signal("INT");
        Thread.Sleep(300);
        p.Signal("INT");
        Assert.That(p.WaitForExit(10_000), Is.True, "the second Ctrl-C does not wait for the point");
        Assert.That(p.ExitCode, Is.EqualTo(130));
        Assert.That(stderr.Result, Does.Not.Contain("interrupted: kept"), "aborted, not stopped cleanly");
    }
}
