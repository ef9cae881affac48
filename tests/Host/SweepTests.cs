using System.Globalization;
using System.Text.Json.Nodes;
using Emu.Host.Sweeps;

namespace Emu.Tests.Host;

public class SweepTests
{
    private static readonly string[] Base =
    {
        "--set", "Simulation:DurationUs=3000", "--set", "Vms:0:Vcpus=4", "--set", "Topology:CoresPerSocket=2",
        "--set", "Scheduler:Policy=RoundRobin", "--set", "Vms:0:Workload:UserspaceExit=0.5",
        "--vary", "Svm:AvicDoorbellStrict=true,false", "--vary", "HostTasks:PerCpu=0,1", "--replications", "3",
    };

    [Test]
    public void Plan_ExpandsTheCartesianProduct_FirstAxisSlowest_WithCommonSeedsPerReplication()
    {
        var plan = new SweepPlan(new[] { SweepAxis.Parse("A:X=1,2"), SweepAxis.Parse("B:Y=a,b,c") }, replications: 2, baseSeed: 42);
        Assert.That(plan.PointCount, Is.EqualTo(12));
        var points = plan.Points(ShardSpec.Whole).ToList();
        Assert.That(points.Select(p => $"{p.Values[0].Value}{p.Values[1].Value}{p.Replication}"),
            Is.EqualTo(new[] { "1a0", "1a1", "1b0", "1b1", "1c0", "1c1", "2a0", "2a1", "2b0", "2b1", "2c0", "2c1" }));
        Assert.That(points.Where(p => p.Replication == 0).Select(p => p.Seed), Is.All.EqualTo(42L), "replication 0 is the base seed");
        long second = points[1].Seed;
        Assert.That(second, Is.Not.EqualTo(42L));
        Assert.That(points.Where(p => p.Replication == 1).Select(p => p.Seed), Is.All.EqualTo(second), "common random numbers across combinations");
        Assert.That(new SweepPlan(plan.Axes, 2, 43).Point(1).Seed, Is.Not.EqualTo(second), "derived from the base seed");
    }

    [Test]
    public void Shards_PartitionThePoints()
    {
        var plan = new SweepPlan(new[] { SweepAxis.Parse("A:X=1,2,3") }, replications: 3, baseSeed: 1);
        var all = Enumerable.Range(0, 3).SelectMany(i => plan.Points(new ShardSpec(i, 3)).Select(p => p.Index)).Order();
        Assert.That(all, Is.EqualTo(Enumerable.Range(0, plan.PointCount)));
    }

    [Test]
    public void HalfWidth_IsStudentT_TimesStandardError()
    {
        double hw = SweepAggregate.HalfWidth(new[] { 1.0, 2.0, 3.0 }, 2.0);
        Assert.That(hw, Is.EqualTo(4.303 * 1.0 / Math.Sqrt(3)).Within(1e-12));
        Assert.That(SweepAggregate.HalfWidth(new[] { 5.0 }, 5.0), Is.EqualTo(0));
        Assert.That(StudentT.Quantile975(31), Is.EqualTo(2.040).Within(0.001));
        Assert.That(StudentT.Quantile975(1000), Is.EqualTo(1.962).Within(0.001));
    }

    [Test]
    public void Aggregate_DoesNotDependOnJobs_AndMatchesTheShardedAndMergedSweep()
    {
        using var cli = new Cli();
        string one = Path.Combine(cli.WorkDir, "one"), two = Path.Combine(cli.WorkDir, "two");
        Assert.That(cli.Run(new[] { "sweep", "--jobs", "1", "--out", one }.Concat(Base).ToArray()).Code, Is.EqualTo(0));
        var (code, stdout, stderr) = cli.Run(new[] { "sweep", "--jobs", "2", "--out", two }.Concat(Base).ToArray());
        Assert.That(code, Is.EqualTo(0), stderr);
        Assert.That(stdout, Does.Contain("strict / non-strict at HostTasks:PerCpu=0"));
        AssertSameSweep(one, two);

        string s0 = Path.Combine(cli.WorkDir, "s0"), s1 = Path.Combine(cli.WorkDir, "s1"), merged = Path.Combine(cli.WorkDir, "merged");
        Assert.That(cli.Run(new[] { "sweep", "--shard", "0/2", "--out", s0 }.Concat(Base).ToArray()).Code, Is.EqualTo(0));
        Assert.That(File.Exists(Path.Combine(s0, "aggregate.json")), Is.False, "a shard alone has no aggregate");
        Assert.That(cli.Run(new[] { "sweep", "--shard", "1/2", "--out", s1 }.Concat(Base).ToArray()).Code, Is.EqualTo(0));
        var m = cli.Run("merge", s1, s0, "--out", merged);
        Assert.That(m.Code, Is.EqualTo(0), m.Err);
        AssertSameSweep(one, merged);
    }

    [Test]
    public void Aggregate_MeansAndStrictRatio_AgreeWithThePointRows()
    {
        using var cli = new Cli();
        string dir = Path.Combine(cli.WorkDir, "sw");
        Assert.That(cli.Run(new[] { "sweep", "--out", dir }.Concat(Base).ToArray()).Code, Is.EqualTo(0));
        var rows = File.ReadAllLines(Path.Combine(dir, "sweep.csv")).Select(l => l.Split(',')).ToList();
        int col = Array.IndexOf(rows[0], "totals.vmExits.total");
        int strictCol = Array.IndexOf(rows[0], "Svm:AvicDoorbellStrict"), hostCol = Array.IndexOf(rows[0], "HostTasks:PerCpu");
        Assert.That(rows, Has.Count.EqualTo(13));
        double Mean(string strict, string host) => rows.Skip(1).Where(r => r[strictCol] == strict && r[hostCol] == host)
            .Average(r => double.Parse(r[col], CultureInfo.InvariantCulture));

        var agg = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "aggregate.json")))!;
        var first = agg["combinations"]![0]!;
        Assert.That((string)first["values"]!["Svm:AvicDoorbellStrict"]!, Is.EqualTo("true"));
        Assert.That((double)first["metrics"]!["totals.vmExits.total"]!["mean"]!, Is.EqualTo(Mean("true", "0")).Within(1e-9));
        var ratio = agg["strictOverNonStrict"]!.AsArray().Single(r => (string)r!["values"]!["HostTasks:PerCpu"]! == "1")!;
        Assert.That((double)ratio["metrics"]!["totals.vmExits.total"]!, Is.EqualTo(Mean("true", "1") / Mean("false", "1")).Within(1e-9));
        Assert.That((double)ratio["metrics"]!["totals.vmExits.total"]!, Is.GreaterThan(1.0), "strict exits more with frequent userspace exits");
    }

    [Test]
    public void CompleteSweep_WritesPlots_AndASelfContainedWellFormedReport()
    {
        using var cli = new Cli();
        string dir = Path.Combine(cli.WorkDir, "sw");
        Assert.That(cli.Run("sweep", "--out", dir, "--set", "Simulation:DurationUs=500", "--vary", "Svm:AvicDoorbellStrict=true,false").Code, Is.EqualTo(0));
        var pngs = Directory.GetFiles(Path.Combine(dir, "plots"), "*.png");
        Assert.That(pngs, Has.Length.EqualTo(Emu.Host.Reports.SweepPlots.Charts.Length));
        foreach (string png in pngs)
        {
            var head = File.ReadAllBytes(png).Take(8).ToArray();
            Assert.That(head, Is.EqualTo(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }), png);
        }

        string html = File.ReadAllText(Path.Combine(dir, "report.html"));
        var doc = System.Xml.Linq.XDocument.Parse(html.Replace("<!DOCTYPE html>", string.Empty, StringComparison.Ordinal));
        System.Xml.Linq.XNamespace x = "http://www.w3.org/1999/xhtml";
        Assert.That(doc.Descendants(x + "img").Count(), Is.EqualTo(pngs.Length));
        Assert.That(doc.Descendants(x + "img").Select(i => (string)i.Attribute("src")!), Is.All.StartWith("data:image/png;base64,"), "self-contained");
        Assert.That(doc.Descendants(x + "table").Count(), Is.EqualTo(3), "totals, exits by reason, strict / non-strict");
        var exitRows = doc.Descendants(x + "table").ElementAt(1).Descendants(x + "tr").Skip(1).Select(tr => tr.Elements(x + "td").ElementAt(1).Value).ToList();
        Assert.That(exitRows, Does.Contain("avic_incomplete_ipi").And.Contain("hlt"), "the exit report names KVM's reasons");
        Assert.That(html, Does.Not.Contain("<script").And.Not.Contain("src=\"http").And.Not.Contain("href=\"http"), "no external resources");
    }

    [TestCase("--vary", "Svm:AvicDoorbellStrict", "--vary 'Svm:AvicDoorbellStrict': expected Section:Key=value1,value2")]
    [TestCase("--vary", "Simulation:Seed=1,2", "seeds come from --replications")]
    [TestCase("--vary", "Scheduler:Policy=Pinned,Lottery", "Scheduler:Policy=Lottery")]
    [TestCase("--shard", "2/2", "--shard '2/2': expected i/N")]
    [TestCase("--shard", "half", "--shard 'half'")]
    [TestCase("--replications", "0", "--replications 0")]
    [TestCase("--jobs", "0", "--jobs 0")]
    public void BadSweepArguments_AreRefusedWithExitCode2(string option, string value, string expected)
    {
        using var cli = new Cli();
        var (code, _, stderr) = cli.Run("sweep", "--out", cli.OutDir, "--set", "Simulation:DurationUs=100", option, value);
        Assert.That(code, Is.EqualTo(2), stderr);
        Assert.That(stderr, Does.Contain(expected));
        Assert.That(stderr, Does.Not.Contain("   at "));
        Assert.That(Directory.Exists(cli.OutDir), Is.False);
    }

    [Test]
    public void Merge_RefusesMissingOrForeignShards()
    {
        using var cli = new Cli();
        string s0 = Path.Combine(cli.WorkDir, "s0"), other = Path.Combine(cli.WorkDir, "other");
        string[] small = { "--set", "Simulation:DurationUs=200", "--vary", "Svm:AvicDoorbellStrict=true,false" };
        Assert.That(cli.Run(new[] { "sweep", "--shard", "0/2", "--out", s0 }.Concat(small).ToArray()).Code, Is.EqualTo(0));
        Assert.That(cli.Run(new[] { "sweep", "--shard", "1/2", "--out", other, "--replications", "2" }.Concat(small).ToArray()).Code, Is.EqualTo(0));
        Assert.That(cli.Run("merge", s0, "--out", cli.OutDir).Err, Does.Contain("missing shard(s) 1/2"));
        var (code, _, stderr) = cli.Run("merge", s0, other, "--out", cli.OutDir);
        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain("a different sweep").And.Contain(other));

        // Same axes and seeds, another configuration: named by its configuration hash.
        string changed = Path.Combine(cli.WorkDir, "changed");
        Assert.That(cli.Run(new[] { "sweep", "--shard", "1/2", "--out", changed, "--set", "Costs:VmExitNs=500" }.Concat(small).ToArray()).Code, Is.EqualTo(0));
        (code, _, stderr) = cli.Run("merge", s0, changed, "--out", cli.OutDir);
        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain(changed).And.Contain("configuration hash"));
        Assert.That(cli.Run("merge", cli.WorkDir).Err, Does.Contain("not a sweep output"));
    }

    private static void AssertSameSweep(string a, string b)
    {
        foreach (string file in new[] { "aggregate.json", "aggregate.csv", "sweep.csv" })
        {
            Assert.That(File.ReadAllText(Path.Combine(b, file)), Is.EqualTo(File.ReadAllText(Path.Combine(a, file))), file);
        }
    }
}
