using System.Globalization;

namespace Emu.Tests.Host;

/// <summary>Simulation:SampleUs: timeseries.csv's intervals add up to the run's totals, and a plot beside it.</summary>
public class TimeSeriesTests
{
    [Test]
    public void TheIntervals_AddUpToTheTotals()
    {
        using var cli = new Cli();
        var (code, _, stderr) = cli.Run("run", "--out", cli.OutDir, "--config", Cli.Scenario("devices-nvme.json"), "--set", "Simulation:DurationUs=5000", "--set", "Simulation:SampleUs=500");
        Assert.That(code, Is.EqualTo(0), stderr);
        var rows = File.ReadAllLines(Path.Combine(cli.OutDir, "timeseries.csv"));
        var header = rows[0].Split(',').ToList();
        var data = rows.Skip(1).Select(r => r.Split(',').Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToList();
        Assert.That(data, Has.Count.EqualTo(10));
        Assert.That(data.Select(r => r[1] - r[0]), Is.All.EqualTo(500_000));
        long Sum(string column) => data.Sum(r => r[header.IndexOf(column)]);
        var totals = cli.Result()["totals"]!;
        Assert.That(Sum("vmExits"), Is.EqualTo((long)totals["vmExits"]!["total"]!));
        Assert.That(Sum("doorbells"), Is.EqualTo((long)totals["doorbells"]!["sent"]!));
        Assert.That(Sum("ipisSent"), Is.EqualTo((long)totals["ipisSent"]!));
        Assert.That(Sum("deviceInterrupts"), Is.EqualTo((long)totals["deviceInterrupts"]!["sent"]!));
        Assert.That(Sum("contextSwitches"), Is.EqualTo((long)totals["contextSwitches"]!));
        Assert.That(File.ReadAllBytes(Path.Combine(cli.OutDir, "timeseries.png")).Take(4), Is.EqualTo(new byte[] { 0x89, 0x50, 0x4E, 0x47 }));
        Assert.That(stderr, Does.Contain("time series: "));
    }

    [Test]
    public void AcrossTheWarmUp_NoIntervalIsLost()
    {
        using var cli = new Cli();
        Assert.That(cli.Run("run", "-q", "--out", cli.OutDir, "--set", "Simulation:DurationUs=4000", "--set", "Simulation:WarmupUs=2000", "--set", "Simulation:SampleUs=1000").Code, Is.EqualTo(0));
        var exits = File.ReadAllLines(Path.Combine(cli.OutDir, "timeseries.csv")).Skip(1).Select(r => long.Parse(r.Split(',')[2], CultureInfo.InvariantCulture)).ToList();
        Assert.That(exits, Has.Count.EqualTo(6));
        Assert.That(exits, Is.All.GreaterThan(0), "the interval the warm-up ends in keeps what it counted before the counts restart");
    }

    [Test]
    public void ALastShorterInterval_IsKept_SoTheSumsStillHold()
    {
        using var cli = new Cli();
        Assert.That(cli.Run("run", "-q", "--out", cli.OutDir, "--set", "Simulation:DurationUs=5000", "--set", "Simulation:SampleUs=3000").Code, Is.EqualTo(0));
        var rows = File.ReadAllLines(Path.Combine(cli.OutDir, "timeseries.csv")).Skip(1).Select(r => r.Split(',').Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToList();
        Assert.That(rows.Select(r => (r[0], r[1])), Is.EqualTo(new[] { (0L, 3_000_000L), (3_000_000L, 5_000_000L) }));
        Assert.That(rows.Sum(r => r[2]), Is.EqualTo((long)cli.Result()["totals"]!["vmExits"]!["total"]!));
    }

    [Test]
    public void TooManyIntervals_AreRefused()
    {
        using var cli = new Cli();
        var (code, _, stderr) = cli.Run("run", "--out", cli.OutDir, "--set", "Simulation:SampleUs=1", "--set", "Simulation:DurationUs=60000000");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain("Simulation:SampleUs: 1 µs over 60000000 µs is 60,000,000 intervals, above 1,000,000"));
    }

    [Test]
    public void Off_WritesNoTimeSeries()
    {
        using var cli = new Cli();
        Assert.That(cli.RunShort("-q").Code, Is.EqualTo(0));
        Assert.That(File.Exists(Path.Combine(cli.OutDir, "timeseries.csv")), Is.False);
    }
}
