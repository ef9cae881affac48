using System.Diagnostics;
using Emu.Host.Reports;

namespace Emu.Tests.Host;

/// <summary>Plots and tables that do not mislead: no negative intervals, no "± 0" for one run, readable labels and units.</summary>
public class HonestOutputTests
{
    [Test]
    public void Intervals_StopAtZero()
    {
        Assert.That(SweepPlots.Bounds(30, 100), Is.EqualTo((0.0, 130.0)));
        Assert.That(SweepPlots.Bounds(300, 100), Is.EqualTo((200.0, 400.0)));
    }

    [TestCase("totals.ipiLatencyNs.p99", 250_000, 1e3, " (µs)")]
    [TestCase("totals.stolenNsOnForeignTasks", 63_000_000, 1e6, " (ms)")]
    [TestCase("totals.ipiLatencyNs.p99", 900, 1, " (ns)")]
    [TestCase("totals.vmExits.total", 63_000_000, 1, "")]
    public void Durations_AreScaled_CountsAreNot(string metric, double max, double scale, string unit) =>
        Assert.That(SweepPlots.UnitOf(metric, max), Is.EqualTo((scale, unit)));

    [Test]
    public void OneRun_ShowsNoInterval_AndManyCombinations_LieHorizontally()
    {
        using var cli = new Cli();
        string dir = Path.Combine(cli.WorkDir, "sw");
        var (code, stdout, stderr) = cli.Run("sweep", "--out", dir, "--set", "Simulation:DurationUs=300",
            "--vary", "Svm:AvicDoorbellStrict=true,false", "--vary", "HostTasks:PerCpu=0,1,2,3");
        Assert.That(code, Is.EqualTo(0), stderr);
        var aggregate = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "aggregate.json")))!;
        Assert.That(aggregate["combinations"]![0]!["metrics"]!["totals.vmExits.total"]!["ci95"], Is.Null, "one run: the interval is unknown, not zero");
        Assert.That(stdout, Does.Contain("(n=1)").And.Not.Contain("± 0"));
        Assert.That(stdout, Does.Contain("TNR exits: AVIC_INCOMPLETE_IPI exits with cause TARGET_NOT_RUNNING"), "abbreviations explained");
        Assert.That(File.ReadAllText(Path.Combine(dir, "report.html")), Does.Contain("(1 run: no interval)").And.Not.Contain("± 0"));
        var (width, height) = PngSize(Path.Combine(dir, "plots", "vmExits-total.png"));
        Assert.That((width, height), Is.EqualTo((900, 60 + (28 * 8))).Or.EqualTo((900, 500)));
        Assert.That(height, Is.GreaterThanOrEqualTo(500), "8 combinations: horizontal bars, a row each");
    }

    [Test]
    public void APercentileOfFewSamples_SaysItIsTheMaximum()
    {
        using var cli = new Cli();
        var (_, stdout, _) = cli.Run("run", "--out", cli.OutDir, "--set", "Simulation:DurationUs=100", "--set", "Vms:0:Workload:Ipi=0.05");
        Assert.That(stdout, Does.Match(@"IPI latency p50 / p99 / max \(n = \d+\)"));
        Assert.That(stdout, Does.Contain("(p99 = the maximum: fewer than 100 samples)"));
    }

    [Test]
    public void TheReport_FitsA1280PixelWindow_WithoutScrollingSideways()
    {
        const string Chromium = "/usr/bin/chromium";
        if (!File.Exists(Chromium))
        {
            Assert.Ignore($"{Chromium} is not installed (apt-get install chromium)");
        }

        using var cli = new Cli();
        string dir = Path.Combine(cli.WorkDir, "sw");
        Assert.That(cli.Run("sweep", "--out", dir, "--config", Cli.Scenario("devices-nvme.json"), "--set", "Simulation:DurationUs=300",
            "--vary", "Svm:AvicDoorbellStrict=true,false", "--vary", "HostTasks:PerCpu=0,1,2").Code, Is.EqualTo(0));

        // The report has no script; the test's copy gets one that writes the page's width where --dump-dom shows it.
        string html = File.ReadAllText(Path.Combine(dir, "report.html"));
        string probe = Path.Combine(dir, "probe.html");
        File.WriteAllText(probe, html.Replace("</body>", "<script>document.body.setAttribute('data-scroll-width', document.documentElement.scrollWidth);</script></body>", StringComparison.Ordinal));
        var psi = new ProcessStartInfo(Chromium) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--window-size=1280,900",
            $"--user-data-dir={Path.Combine(cli.WorkDir, "chromium")}", "--dump-dom", new Uri(probe).AbsoluteUri,
        })
        {
            psi.ArgumentList.Add(arg);
        }

        using var p = Process.Start(psi)!;
        _ = p.StandardError.ReadToEndAsync();
        string dom = p.StandardOutput.ReadToEnd();
        Assert.That(p.WaitForExit(120_000), Is.True);
        var match = System.Text.RegularExpressions.Regex.Match(dom, "data-scroll-width=\"(\\d+)\"");
        Assert.That(match.Success, Is.True, "the probe ran");
        Assert.That(int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), Is.LessThanOrEqualTo(1280), "no horizontal scrolling at 1,280 px");
        Assert.That(dom.Split("<h3>").Length - 1, Is.Zero, "each plot's title once: in the image");
    }

    private static (int Width, int Height) PngSize(string path)
    {
        var b = File.ReadAllBytes(path);
        return ((b[16] << 24) | (b[17] << 16) | (b[18] << 8) | b[19], (b[20] << 24) | (b[21] << 16) | (b[22] << 8) | b[23]);
    }
}
