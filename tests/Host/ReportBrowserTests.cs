using System.Diagnostics;

namespace Emu.Tests.Host;

/// <summary>
/// report.html in a real browser: headless Chromium loads it and its DOM holds the tables and every plot.
/// .ci/run installs Debian's chromium when it can; without a browser the test is ignored with the reason,
/// and the well-formedness check in SweepTests still runs.
/// </summary>
public class ReportBrowserTests
{
    private const string Chromium = "/usr/bin/chromium";

    [Test]
    public void Report_RendersInHeadlessChromium()
    {
        if (!File.Exists(Chromium))
        {
            Assert.Ignore($"{Chromium} is not installed (apt-get install chromium)");
        }

        using var cli = new Cli();
        string dir = Path.Combine(cli.WorkDir, "sw");
        Assert.That(cli.Run("sweep", "--out", dir, "--set", "Simulation:DurationUs=500", "--vary", "Svm:AvicDoorbellStrict=true,false").Code, Is.EqualTo(0));

        var psi = new ProcessStartInfo(Chromium) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", $"--user-data-dir={Path.Combine(cli.WorkDir, "chromium")}",
            "--dump-dom", new Uri(Path.Combine(dir, "report.html")).AbsoluteUri,
        })
        {
            psi.ArgumentList.Add(arg);
        }

        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        string dom = p.StandardOutput.ReadToEnd();
        Assert.That(p.WaitForExit(120_000), Is.True, "chromium did not finish");
        Assert.That(dom, Does.Contain("<h1>Emu sweep report</h1>"), stderr.Result);
        Assert.That(dom.Split("<img").Length - 1, Is.EqualTo(Emu.Host.Reports.SweepPlots.Charts.Length));
        Assert.That(dom, Does.Contain("Strict / non-strict"));
    }
}
