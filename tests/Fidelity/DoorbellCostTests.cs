using Emu.Core.Results;
using Emu.Plugins.Svm;

namespace Emu.Tests.Fidelity;

/// <summary>
/// Doorbells take time (DESIGN §3): one that the target does not take in guest mode interrupts whatever runs on
/// the pCPU for Costs:SpuriousDoorbellNs, its work completes that much later, one arriving while the previous is
/// still being handled is coalesced, and time is conserved on every pCPU.
/// </summary>
public class DoorbellCostTests
{
    /// <summary>The doorbell-spam scenario: an attacker floods ICR at its sibling, which shares pCPU 1 with a victim VM.</summary>
    private static Dictionary<string, string?> Spam(long gapNs, bool strict, bool flood = true) => Scenario.Defaults()
        .With("Simulation:DurationUs", "10000")
        .With("Topology:CoresPerSocket", "2")
        .With("Topology:ThreadsPerCore", "1")
        .With("Vms:0:Name", "attacker")
        .With("Vms:0:Vcpus", "2")
        .With("Vms:0:VcpuCpus:0:0", "0")
        .With("Vms:0:VcpuCpus:1:0", "1")
        .With("Vms:0:Workload:Kind", "IcrFlood")
        .With("Vms:0:Workload:GapNs", gapNs.ToString(System.Globalization.CultureInfo.InvariantCulture))
        .With("Vms:0:Workload:Flood", flood ? "true" : "false")
        .With("Vms:1:Name", "victim")
        .With("Vms:1:Vcpus", "1")
        .With("Vms:1:Cpus:0", "1")
        .With("Vms:1:Workload:Kind", "Mixed")
        .With("Vms:1:Workload:ComputeNs", "50000")
        .With("Vms:1:Workload:Ipi", "0")
        .With("Scheduler:Policy", "RoundRobin")
        .With("Svm:AvicDoorbellStrict", strict ? "true" : "false");

    private static SimulationResult Run(Dictionary<string, string?> keys) => Scenario.Run(keys, new SvmPlugin());

    private static long VictimUseful(SimulationResult r) => r.Vms[1].Vcpus[0].GuestNs - r.Vms[1].Vcpus[0].StolenNs;

    [TestCase(100)]
    [TestCase(2500)]
    public void TimeIsConserved_AndNoTaskLosesMoreThanItRan(long gapNs)
    {
        var r = Run(Spam(gapNs, strict: false));
        foreach (var p in r.Pcpus)
        {
            Assert.That(p.BusyNs + p.IdleNs, Is.EqualTo(r.SimulatedNs), $"pCPU {p.Id}: busy + idle = simulated time");
        }

        foreach (var t in r.Tasks)
        {
            Assert.That(t.StolenNs, Is.LessThanOrEqualTo(t.OnCpuNs), $"{t.Name} lost more than it ran");
        }

        var d = r.Totals.Doorbells;
        long landed = d.ToRunningTarget + d.ToTargetInHost + d.Spurious;
        Assert.That(landed, Is.InRange(d.Sent - 4, d.Sent), "every doorbell lands in one bucket (a few are still on their way at the end)");
        Assert.That(r.Totals.StolenNs, Is.LessThanOrEqualTo(r.SimulatedNs), "one pCPU is charged, never more than the run");
    }

    [Test]
    public void FloodFasterThanTheHandler_IsCoalesced_SoTheSlowdownSaturatesBelowAll()
    {
        long baseline = VictimUseful(Run(Spam(100, strict: false, flood: false)));
        var flood = Run(Spam(100, strict: false));
        double slowdown = 1 - ((double)VictimUseful(flood) / baseline);
        Assert.That(flood.Totals.Doorbells.Coalesced, Is.GreaterThan(flood.Totals.Doorbells.Spurious / 2), "most doorbells arrive while the previous one is handled");
        Assert.That(slowdown, Is.GreaterThan(0.5).And.LessThan(1.0), "a doorbell every 100 ns takes most of the pCPU, never all of it");
    }

    [Test]
    public void Slowdown_GrowsAsTheGapShrinks_SaturatingBelowAll_InNonStrictMode_AndStaysZeroInStrictMode()
    {
        var slowdowns = new List<double>();
        foreach (long gap in new long[] { 20_000, 5_000, 2_500, 100 })
        {
            long baseline = VictimUseful(Run(Spam(gap, strict: false, flood: false)));
            double nonStrict = 1 - ((double)VictimUseful(Run(Spam(gap, strict: false))) / baseline);
            double strict = 1 - ((double)VictimUseful(Run(Spam(gap, strict: true))) / baseline);
            Assert.That(nonStrict, Is.LessThan(0.95), $"gap {gap} ns: a flood never takes the whole pCPU");
            Assert.That(strict, Is.LessThan(0.01), $"gap {gap} ns: strict mode never rings the victim's pCPU");
            slowdowns.Add(nonStrict);
        }

        Assert.That(slowdowns, Is.Ordered.Ascending);
        Assert.That(slowdowns[0], Is.EqualTo(1000.0 / 20_000).Within(0.02), "one 1 us doorbell per 20 us");
    }

    [Test]
    public void DoorbellToTheTargetsOwnThreadInHostMode_CostsTheSameAsElsewhere()
    {
        // Non-strict, one pCPU per vCPU, an I/O-heavy guest: peers ring vCPUs that are in userspace or handling exits.
        var keys = Scenario.Defaults()
            .With("Vms:0:Workload:Kind", "IoHeavy")
            .With("Vms:0:Workload:Ipi", "1.0")
            .With("Svm:AvicDoorbellStrict", "false");
        var r = Run(keys);
        var d = r.Totals.Doorbells;
        Assert.That(d.ToTargetInHost, Is.GreaterThan(0), "some doorbells find their target's thread in host mode");
        Assert.That(r.Totals.StolenNs, Is.GreaterThan(0), "and they take the pCPU's time");
        Assert.That(d.Spurious, Is.LessThan(d.ToTargetInHost), "1:1 pinned: no other task runs there");
    }
}
