using System.Text.Json.Nodes;

namespace Emu.Tests.Host;

/// <summary>Device interrupts in every output: the summary, result.csv, the trace (device tracks and flows), a sweep's table, plots and report, and compare.</summary>
public class DeviceOutputTests
{
    private static readonly string[] Nvme = { "--config", Cli.Scenario("devices-nvme.json"), "--set", "Simulation:DurationUs=3000" };

    [Test]
    public void Run_PrintsTheDeviceRows_AndResultCsvHasTheColumns()
    {
        using var cli = new Cli();
        var (code, stdout, stderr) = cli.Run(new[] { "run", "--out", cli.OutDir }.Concat(Nvme).ToArray());
        Assert.That(code, Is.EqualTo(0), stderr);
        Assert.That(stdout, Does.Contain("device interrupts sent / posted / remapped"));
        long sent = (long)cli.Result()["totals"]!["deviceInterrupts"]!["sent"]!;
        Assert.That(sent, Is.GreaterThan(100));
        var csv = File.ReadAllLines(Path.Combine(cli.OutDir, "result.csv"));
        int column = csv[0].Split(',').ToList().IndexOf("totals.deviceInterrupts.sent");
        Assert.That(column, Is.GreaterThan(0));
        Assert.That(long.Parse(csv[1].Split(',')[column], System.Globalization.CultureInfo.InvariantCulture), Is.EqualTo(sent));
        var vm = cli.Result()["vms"]![0]!;
        Assert.That((string)vm["devices"]![0]!["name"]!, Is.EqualTo("nvme0"));
        Assert.That((long)vm["devices"]![0]!["interrupts"]!["sent"]!, Is.EqualTo(sent));
    }

    [Test]
    public void Trace_HasADeviceTrack_AndAFlowFromEachInterruptToItsAcceptance()
    {
        using var cli = new Cli();
        string trace = Path.Combine(cli.WorkDir, "t.json");
        var (code, _, stderr) = cli.Run(new[] { "run", "--out", cli.OutDir, "--trace", trace }.Concat(Nvme).ToArray());
        Assert.That(code, Is.EqualTo(0), stderr);
        var totals = cli.Result()["totals"]!["deviceInterrupts"]!;
        var events = JsonNode.Parse(File.ReadAllText(trace))!["traceEvents"]!.AsArray();
        var starts = new HashSet<long>();
        int ends = 0, slices = 0;
        foreach (var e in events)
        {
            string ph = (string)e!["ph"]!;
            string cat = (string?)e["cat"] ?? "";
            if (cat == "device" && ph == "X")
            {
                slices++;
                Assert.That((int)e["pid"]!, Is.EqualTo(1), "on the devices' process");
            }
            else if (cat != "device")
            {
                continue; // the IPIs' flows
            }
            else if (ph == "s")
            {
                Assert.That(starts.Add((long)e["id"]!), Is.True, "a flow id starts once");
                Assert.That((int)e["pid"]!, Is.EqualTo(1));
            }
            else if (ph == "f")
            {
                Assert.That(starts, Does.Contain((long)e["id"]!), "a flow ends after it started");
                Assert.That((int)e["pid"]!, Is.EqualTo(0), "at the pCPU where the guest took it");
                Assert.That((string)e["bp"]!, Is.EqualTo("e"));
                ends++;
            }
        }

        Assert.That(slices, Is.EqualTo((long)totals["sent"]!));
        Assert.That(starts, Has.Count.EqualTo((long)totals["sent"]!));
        Assert.That(ends, Is.EqualTo((long)totals["accepted"]!), "one flow ends per interrupt taken (coalesced ones included)");
        Assert.That(events.Any(e => (string)e!["ph"]! == "M" && (int)e["pid"]! == 1 && (string)e["args"]!["name"]! == "db/nvme0 (0x40, posted)"), Is.True);
    }

    [Test]
    public void Sweep_ShowsDeviceColumns_AndDevicePlots_AndCompareListsTheTotals()
    {
        using var cli = new Cli();
        string dir = Path.Combine(cli.WorkDir, "sw");
        var (code, stdout, stderr) = cli.Run(new[] { "sweep", "--out", dir, "--vary", "Svm:AvicDoorbellStrict=true,false" }.Concat(Nvme).ToArray());
        Assert.That(code, Is.EqualTo(0), stderr);
        Assert.That(stdout, Does.Contain("device p99 ns"));
        var pngs = Directory.GetFiles(Path.Combine(dir, "plots"), "*.png").Select(Path.GetFileName).ToList();
        Assert.That(pngs, Has.Count.EqualTo(Emu.Host.Reports.SweepPlots.Charts.Length + Emu.Host.Reports.SweepPlots.DeviceCharts.Length));
        Assert.That(pngs, Does.Contain("deviceInterrupts-spuriousOnForeignTask.png"));
        Assert.That(File.ReadAllText(Path.Combine(dir, "report.html")), Does.Contain("Device interrupts: doorbells on foreign tasks"));

        string a = Path.Combine(cli.WorkDir, "a"), b = Path.Combine(cli.WorkDir, "b");
        Assert.That(cli.Run(new[] { "run", "--out", a }.Concat(Nvme).ToArray()).Code, Is.EqualTo(0));
        Assert.That(cli.Run(new[] { "run", "--out", b, "--set", "Svm:AvicDoorbellStrict=false" }.Concat(Nvme).ToArray()).Code, Is.EqualTo(0));
        var (cmp, cmpOut, cmpErr) = cli.Run("compare", a, b);
        Assert.That(cmp, Is.EqualTo(0), cmpErr);
        Assert.That(cmpOut, Does.Contain("totals.deviceInterrupts.gaLogInterrupts"));
    }
}
