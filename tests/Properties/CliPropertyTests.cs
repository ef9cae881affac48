using System.Globalization;
using System.Text.Json.Nodes;
using CsCheck;
using Emu.Host.Cli;

namespace Emu.Tests.Properties;

/// <summary>
/// Generated configurations, valid and invalid, through the real CLI entry point: every one ends in exit 0 with a
/// complete, valid result.json, or exit 2 with one line per problem — never exit 1, never a stack trace. The
/// generator's seed is fixed and the count bounded, so the suite stays fast and a failure repeats.
/// </summary>
public class CliPropertyTests
{
    private const int Cases = 60;

    /// <summary>Each key with valid values, then values out of range, of the wrong type, or unknown; a case sets some keys.</summary>
    private static readonly (string Key, string[] Valid, string[] Invalid)[] Keys =
    {
        ("Simulation:DurationUs", new[] { "1", "200", "2000" }, new[] { "0", "-5", "soon", "4000000000" }),
        ("Simulation:Seed", new[] { "0", "7", "-3", "9223372036854775807" }, new[] { "x" }),
        ("Simulation:CheckInvariants", new[] { "true", "false" }, new[] { "perhaps" }),
        ("Simulation:WarmupUs", new[] { "0", "100" }, new[] { "-1" }),
        ("Topology:Sockets", new[] { "1", "2" }, new[] { "0", "17", "2000000000" }),
        ("Topology:CoresPerSocket", new[] { "2", "4" }, new[] { "1025", "0" }),
        ("Topology:ThreadsPerCore", new[] { "1", "2" }, new[] { "9" }),
        ("Topology:NumaNodesPerSocket", new[] { "1", "2" }, new[] { "3" }),
        ("Vms:0:Vcpus", new[] { "1", "2", "4" }, new[] { "0", "256" }),
        ("Vms:0:Name", new[] { "vm0", "a b" }, new[] { new string('n', 65) }),
        ("Vms:0:Workload:Kind", new[] { "Mixed", "PingPong", "IoHeavy", "Idle", "TlbShootdown", "IcrFlood" }, new[] { "Bogus" }),
        ("Vms:0:Workload:Halt", new[] { "0", "0.5" }, new[] { "-1" }),
        ("Vms:0:HltExits", new[] { "true", "false" }, new[] { "0.5" }),
        ("Vms:0:Devices:0:Vcpus:0", new[] { "0" }, new[] { "9" }),
        ("Vms:0:Devices:0:Vector", new[] { "64", "33" }, new[] { "16", "300" }),
        ("Vms:0:Devices:0:Posted", new[] { "true", "false" }, new[] { "yes" }),
        ("Vms:1:Vcpus", new[] { "1", "2" }, new[] { "-2" }),
        ("Kvm:Profile", new[] { "Current", "Seed2022" }, new[] { "Old" }),
        ("Kvm:HaltPollNs", new[] { "0", "200000" }, new[] { "-1" }),
        ("Svm:Avic", new[] { "true", "false" }, new[] { "on" }),
        ("Svm:AvicDoorbellStrict", new[] { "true", "false" }, new[] { "maybe" }),
        ("Svm:EnableIpiv", new[] { "true", "false" }, new[] { "2" }),
        ("Svm:IommuAvic", new[] { "true", "false" }, new[] { "" }),
        ("Scheduler:Policy", new[] { "RoundRobin", "Fair", "Random", "SmtPack" }, new[] { "Lottery" }),
        ("Scheduler:TimeSliceUs", new[] { "50", "3000" }, new[] { "0" }),
        ("HostTasks:PerCpu", new[] { "0", "1" }, new[] { "65" }),
        ("Costs:VmExitNs", new[] { "450", "0" }, new[] { "-1" }),
        ("Simulation:Speed", Array.Empty<string>(), new[] { "3" }),
        ("Svn:Avic", Array.Empty<string>(), new[] { "false" }),
    };

    /// <summary>A case: a number per key, which says whether it is set (one in four), and to a valid value (nine in ten) or not.</summary>
    private static readonly Gen<int[]> Case = Gen.Int[0, 9_999].Array[Keys.Length];

    [Test]
    public void EveryConfiguration_EndsInAResultOrInExit2_NeverInACrash()
    {
        var pcg = new PCG(1, 20261130);
        int valid = 0, refused = 0;
        for (int i = 0; i < Cases; i++)
        {
            int[] picks = Case.Generate(pcg, null, out _);
            var sets = new List<string>();
            for (int k = 0; k < Keys.Length; k++)
            {
                var (key, good, bad) = Keys[k];
                int pick = picks[k];
                if (pick % 4 != 0)
                {
                    continue;
                }

                var values = (pick / 4 % 10) < 9 && good.Length > 0 ? good : bad;
                sets.Add($"{key}={values[pick / 40 % values.Length]}");
            }

            if (!sets.Any(s => s.StartsWith("Simulation:DurationUs=", StringComparison.Ordinal)))
            {
                sets.Add("Simulation:DurationUs=300"); // tiny runs: the default 100 ms would make the suite slow
            }

            if (sets.Any(s => s.StartsWith("Vms:1:", StringComparison.Ordinal)))
            {
                sets.Add("Vms:1:Name=vm1");
            }

            if (sets.Any(s => s.StartsWith("Vms:0:Devices:", StringComparison.Ordinal)))
            {
                sets.Add("Vms:0:Devices:0:Name=nvme0");
                if (!sets.Any(s => s.StartsWith("Vms:0:Devices:0:Vcpus:", StringComparison.Ordinal)))
                {
                    sets.Add("Vms:0:Devices:0:Vcpus:0=0");
                }
            }

            if (Check(sets))
            {
                valid++;
            }
            else
            {
                refused++;
            }
        }

        TestContext.Out.WriteLine($"{valid} valid runs, {refused} refused");
        Assert.That(valid, Is.GreaterThan(Cases / 10), "the generator reaches valid scenarios too");
        Assert.That(refused, Is.GreaterThan(Cases / 10), "and invalid ones");
    }

    /// <summary>Runs one case; true when it ran, false when it was refused.</summary>
    private static bool Check(List<string> sets)
    {
        using var cli = new Emu.Tests.Host.Cli();
        var args = new List<string> { "run", "--out", cli.OutDir, "-v", "q" };
        foreach (string s in sets)
        {
            args.Add("--set");
            args.Add(s);
        }

        var (code, _, stderr) = cli.Run(args.ToArray());
        string shown = string.Join(' ', sets);
        Assert.That(code, Is.EqualTo(0).Or.EqualTo(2), $"{shown}\n{stderr}");
        Assert.That(stderr, Does.Not.Contain("   at ").And.Not.Contain("internal error"), shown);
        if (code == 2)
        {
            var lines = stderr.TrimEnd().Split('\n');
            Assert.That(lines, Is.All.StartWith("error: ").Or.StartWith("note: ").Or.StartWith("Run 'emu --help'"), $"{shown}\n{stderr}");
            Assert.That(File.Exists(cli.ResultFile), Is.False, shown);
            return false;
        }

        var result = JsonNode.Parse(File.ReadAllText(cli.ResultFile))!;
        Assert.That((bool)result["completed"]!, Is.True, shown);
        Assert.That((long)result["simulatedNs"]!, Is.GreaterThan(0), shown);
        Assert.That((long)result["totals"]!["lostWakeups"]!, Is.Zero, shown);
        var d = result["totals"]!["deviceInterrupts"]!;
        Assert.That((long)d["accepted"]! + (long)d["pending"]!, Is.EqualTo((long)d["sent"]!), shown);
        return true;
    }
}
