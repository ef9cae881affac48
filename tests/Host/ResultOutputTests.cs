using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Emu.Host.Output;

namespace Emu.Tests.Host;

/// <summary>result.csv, the Chrome trace and `emu compare`: each checked against result.json, the other view of the same run.</summary>
public class ResultOutputTests
{
    [Test]
    public void ResultCsv_HasOneRow_WhoseTotalsEqualResultJson()
    {
        using var cli = new Cli();
        Assert.That(cli.RunShort().Code, Is.EqualTo(0));
        string[] lines = File.ReadAllLines(Path.Combine(cli.OutDir, "result.csv"));
        Assert.That(lines, Has.Length.EqualTo(2));
        var header = Csv.Parse(lines[0]);
        var row = Csv.Parse(lines[1]);
        Assert.That(row, Has.Count.EqualTo(header.Count));

        var json = cli.Result();
        Assert.That(row[header.IndexOf("seed")], Is.EqualTo(json["seed"]!.ToJsonString()));
        Assert.That(row[header.IndexOf("events")], Is.EqualTo(json["events"]!.ToJsonString()));
        Assert.That(row[header.IndexOf("interruptVirtualization")], Is.EqualTo((string)json["interruptVirtualization"]!));

        int totals = 0;
        for (int i = 0; i < header.Count; i++)
        {
            if (!header[i].StartsWith("totals.", StringComparison.Ordinal))
            {
                continue;
            }

            JsonNode node = json;
            foreach (string part in header[i].Split('.'))
            {
                node = node[part]!;
            }

            Assert.That(double.Parse(row[i], CultureInfo.InvariantCulture), Is.EqualTo(node.GetValue<double>()), header[i]);
            totals++;
        }

        Assert.That(totals, Is.GreaterThan(10));
        Assert.That(header, Does.Contain("totals.ipisSent").And.Contain("totals.vmExits.total"));
    }

    [Test]
    public void ResultJson_RoundTripsThroughTheResultType_Unchanged()
    {
        using var cli = new Cli();
        Assert.That(cli.RunShort("--config", Cli.Scenario("nested-overcommit.json")).Code, Is.EqualTo(0));
        string written = File.ReadAllText(cli.ResultFile);
        var parsed = Emu.Core.Results.ResultJson.Deserialize(written);
        Assert.That(parsed, Is.Not.Null);
        Assert.That(Emu.Core.Results.ResultJson.Serialize(parsed!), Is.EqualTo(written), "every field of result.json is in the result type, nothing is lost or renamed");
    }

    [TestCase("plain")]
    [TestCase("a,b")]
    [TestCase("say \"hi\"")]
    [TestCase("")]
    [TestCase(",\"\",")]
    public void Csv_QuotesWhatNeedsIt_AndParsesBack(string value)
    {
        var sb = new StringBuilder();
        Csv.Line(sb, new[] { "x", value, "y" });
        Assert.That(Csv.Parse(sb.ToString().TrimEnd('\n')), Is.EqualTo(new[] { "x", value, "y" }));
    }

    [Test]
    public void Trace_IsValidTraceEventJson_WithOneTaskAtATimePerPcpu_AndDoorbells()
    {
        using var cli = new Cli();
        string trace = Path.Combine(cli.WorkDir, "t.json");
        var (code, _, stderr) = cli.RunShort("--trace", trace);
        Assert.That(code, Is.EqualTo(0), stderr);
        Assert.That(stderr, Does.Contain("trace: "));
        var events = JsonNode.Parse(File.ReadAllText(trace))!["traceEvents"]!.AsArray();
        Assert.That(events.Count, Is.GreaterThan(100));

        var lastTaskEnd = new Dictionary<int, double>();
        var flowStarts = new Dictionary<long, string>();
        int doorbells = 0, threadNames = 0, flowEnds = 0, incompleteIpi = 0;
        var processes = new Dictionary<int, string>();
        foreach (var e in events)
        {
            // The Trace Event format: every event a name, a phase, a pid; a timestamp but for metadata.
            string ph = (string)e!["ph"]!;
            Assert.That(ph, Is.AnyOf("X", "i", "M", "s", "t", "f", "C"));
            Assert.That((string?)e["name"], Is.Not.Null.And.Not.Empty);
            int pid = (int)e["pid"]!;
            if (ph == "M")
            {
                if ((string)e["name"]! == "process_name")
                {
                    processes[pid] = (string)e["args"]!["name"]!;
                }
                else
                {
                    threadNames++;
                }

                continue;
            }

            double ts = (double)e["ts"]!;
            Assert.That(ts, Is.GreaterThanOrEqualTo(0));
            if (ph == "C")
            {
                Assert.That(e["args"]!.AsObject(), Has.Count.EqualTo(1), "a counter's value");
                continue;
            }

            int tid = (int)e["tid"]!;
            if (ph is "s" or "t" or "f")
            {
                long id = (long)e["id"]!;
                string cat = (string)e["cat"]!;
                if (ph == "s")
                {
                    flowStarts[id] = cat;
                }
                else
                {
                    Assert.That(flowStarts.GetValueOrDefault(id), Is.EqualTo(cat), "a flow's step or end follows its start, in its category");
                    flowEnds += ph == "f" ? 1 : 0;
                }
            }
            else if (ph == "X")
            {
                double dur = (double)e["dur"]!;
                Assert.That(dur, Is.GreaterThan(0));
                if ((string)e["cat"]! == "task")
                {
                    // Task slices on one pCPU never overlap: one task runs there at a time.
                    Assert.That(pid, Is.EqualTo(0));
                    double end = lastTaskEnd.GetValueOrDefault(tid, 0);
                    Assert.That(ts, Is.GreaterThanOrEqualTo(end - 1e-6), $"pCPU {tid} runs two tasks at {ts} µs");
                    lastTaskEnd[tid] = ts + dur;
                }
            }
            else if ((string)e["name"]! == "Doorbell")
            {
                doorbells++;
            }
            else if ((string)e["name"]! == "VmExit")
            {
                Assert.That((string?)e["args"]!["reason"], Is.Not.Null, "exits carry their reason");
                if ((string)e["args"]!["reason"]! == "avic_incomplete_ipi")
                {
                    incompleteIpi++;
                    Assert.That((string)e["args"]!["exitInfo1"]!, Does.StartWith("0x"), "the ICR, as KVM's tracepoint shows it");
                    Assert.That((string)e["args"]!["cause"]!, Is.AnyOf("TargetNotRunning", "InvalidTarget", "InvalidIntType", "InvalidBackingPage", "InvalidIpiVector"));
                }
            }
            else if ((string)e["name"]! == "IcrWrite")
            {
                Assert.That((string)e["args"]!["icr"]!, Does.StartWith("0x"), "ICR writes carry their value");
            }
        }

        var totals = cli.Result()["totals"]!;
        Assert.That(doorbells, Is.GreaterThan(0));
        Assert.That(incompleteIpi, Is.GreaterThan(0));
        Assert.That(processes[0], Is.EqualTo("host (pCPUs)"));
        Assert.That(processes.Values, Does.Contain("VM vm0"), "a process per VM, its vCPUs' tracks in it");
        Assert.That(threadNames, Is.EqualTo(lastTaskEnd.Count + 8), "every pCPU track and every vCPU track is named");
        Assert.That(flowEnds, Is.EqualTo((long)totals["ipisDelivered"]!), "one flow from each ICR write to each IPI it delivered");
        Assert.That(events.Any(e => (string)e!["ph"]! == "C" && ((string)e["name"]!).StartsWith("IsRunning", StringComparison.Ordinal)), Is.True);
        Assert.That(events.Any(e => (string)e!["ph"]! == "C" && ((string)e["name"]!).StartsWith("run queue", StringComparison.Ordinal)), Is.True);
        Assert.That(lastTaskEnd.Values.Max(), Is.EqualTo(2000).Within(1e-6), "slices are closed at the end of the run");
    }

    [Test]
    public void Trace_IsByteIdenticalAcrossRuns()
    {
        using var cli = new Cli();
        string a = Path.Combine(cli.WorkDir, "a.json"), b = Path.Combine(cli.WorkDir, "b.json");
        Assert.That(cli.RunShort("--trace", a).Code, Is.EqualTo(0));
        Assert.That(cli.RunShort("--trace", b).Code, Is.EqualTo(0));
        Assert.That(File.ReadAllBytes(b), Is.EqualTo(File.ReadAllBytes(a)));
    }

    [Test]
    public void TraceLimit_StopsRecording_AndTheFileStaysValidJson()
    {
        using var cli = new Cli();
        string trace = Path.Combine(cli.WorkDir, "t.json");
        var (code, _, stderr) = cli.RunShort("--trace", trace, "--trace-limit", "50");
        Assert.That(code, Is.EqualTo(0));
        Assert.That(stderr, Does.Contain("truncated"));
        var events = JsonNode.Parse(File.ReadAllText(trace))!["traceEvents"]!.AsArray();
        int recorded = events.Count(e => (string)e!["ph"]! != "M" && !((string)e["name"]!).StartsWith("trace truncated", StringComparison.Ordinal));
        Assert.That(recorded, Is.EqualTo(50));
        Assert.That(events.Any(e => ((string)e!["name"]!).StartsWith("trace truncated", StringComparison.Ordinal)), Is.True);
    }

    /// <summary>Both traces' limits: a bad one is exit 2 naming it, and no trace file is left.</summary>
    [TestCase("--trace", "--trace-limit", "0")]
    [TestCase("--trace", "--trace-limit", "-5")]
    [TestCase("--trace", "--trace-limit", "many")]
    [TestCase("--kvm-trace", "--kvm-trace-limit", "0")]
    [TestCase("--kvm-trace", "--kvm-trace-limit", "-3")]
    [TestCase("--kvm-trace", "--kvm-trace-limit", "lots")]
    public void TraceLimit_Invalid_ExitsTwo_NamingTheOption(string trace, string limitOption, string limit)
    {
        using var cli = new Cli();
        string file = Path.Combine(cli.WorkDir, "trace.out");
        var (code, _, stderr) = cli.RunShort(trace, file, limitOption, limit);
        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain(limitOption));
        Assert.That(File.Exists(file), Is.False);
    }

    [Test]
    public void Compare_StrictAgainstNonStrict_ShowsTheConfigKey_AndMarksDifferingTotals()
    {
        using var cli = new Cli();
        string a = Path.Combine(cli.WorkDir, "strict"), b = Path.Combine(cli.WorkDir, "nonstrict");
        Assert.That(cli.Run("run", "--out", a, "--set", "Simulation:DurationUs=2000").Code, Is.EqualTo(0));
        Assert.That(cli.Run("run", "--out", b, "--set", "Simulation:DurationUs=2000", "--set", "Svm:AvicDoorbellStrict=false").Code, Is.EqualTo(0));
        var (code, stdout, stderr) = cli.Run("compare", a, Path.Combine(b, "result.json"));
        Assert.That(code, Is.EqualTo(0), stderr);
        Assert.That(stdout, Does.Contain("AvicDoorbellStrict"));
        Assert.That(stdout, Does.Contain("totals.vmExits.total"));
        Assert.That(stdout.Split('\n').Any(l => l.TrimStart().StartsWith('*') && l.Contains("totals.vmExits", StringComparison.Ordinal)), Is.True, stdout);

        var (same, sameOut, _) = cli.Run("compare", a, a);
        Assert.That(same, Is.EqualTo(0));
        Assert.That(sameOut, Does.Contain("configuration: identical"));
        Assert.That(sameOut.Split('\n').Any(l => l.TrimStart().StartsWith('*')), Is.False, "a run compared with itself differs nowhere");
    }

    [Test]
    public void Compare_MissingOrInvalidFile_ExitsTwo_NamingIt()
    {
        using var cli = new Cli();
        Assert.That(cli.RunShort().Code, Is.EqualTo(0));
        var (code, _, stderr) = cli.Run("compare", cli.OutDir, "nowhere.json");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain("nowhere.json"));

        string junk = cli.Write("junk.json", "{ not json");
        (code, _, stderr) = cli.Run("compare", cli.OutDir, junk);
        Assert.That(code, Is.EqualTo(2));
        Assert.That(stderr, Does.Contain("junk.json"));
    }
}

public class ShippedScenarioTests
{
    private static IEnumerable<string> Scenarios() =>
        Directory.GetFiles(Path.Combine(Cli.RepoRoot, "scenarios"), "*.json").Order(StringComparer.Ordinal).Select(Path.GetFileName)!;

    [TestCaseSource(nameof(Scenarios))]
    public void EveryShippedScenario_Validates_AndRunsBrieflyWithInvariantsOn(string name)
    {
        using var cli = new Cli();
        var (code, _, stderr) = cli.Run("validate", "--config", Cli.Scenario(name));
        Assert.That(code, Is.EqualTo(0), stderr);

        // Every-event invariant checks scan all vCPUs: at 4096 vCPUs that is the scale benchmark's business, not
        // the suite's; lost wake-ups are detected either way.
        string check = name.StartsWith("large-", StringComparison.Ordinal) ? "false" : "true";
        (code, _, stderr) = cli.Run("run", "--config", Cli.Scenario(name), "--out", cli.OutDir,
            "--set", "Simulation:DurationUs=300", "--set", $"Simulation:CheckInvariants={check}");
        Assert.That(code, Is.EqualTo(0), stderr);
        Assert.That((bool)cli.Result()["completed"]!, Is.True);
        Assert.That((long)cli.Result()["totals"]!["lostWakeups"]!, Is.Zero);
    }
}
