using Emu.Core.Results;

namespace Emu.Tests.NestedSvm;

/// <summary>
/// Upstream KVM (Nested:Avic = false) inhibits AVIC for a vCPU while it runs L2 (APICV_INHIBIT_REASON_NESTED): its
/// entry says not running in both strict modes, peers' IPIs exit and KVM kicks it out of L2, and its L1 interrupts
/// wait until it has left L2. The Svm plugin checks the entry after every event (invariants on).
/// </summary>
public class NestedInhibitTests
{
    /// <summary>L1 vCPUs one per pCPU that IPI each other while mostly running L2.</summary>
    private static Dictionary<string, string?> Pinned(bool nestedAvic, bool strict) => Scenario.Defaults()
        .With("Simulation:DurationUs", "5000")
        .With("Vms:0:Workload:Ipi", "1.0")
        .With("Vms:0:Workload:ComputeNs", "3000")
        .With("Vms:0:Nested:Vcpus", "4")
        .With("Vms:0:Nested:Workload:Kind", "Mixed")
        .With("Vms:0:Nested:Workload:Ipi", "0.0")
        .With("Vms:0:Nested:L2Share", "0.8")
        .With("Vms:0:Nested:Avic", nestedAvic ? "true" : "false")
        .With("Svm:AvicDoorbellStrict", strict ? "true" : "false");

    private static SimulationResult Run(bool nestedAvic, bool strict) => NestedScenario.Run(Pinned(nestedAvic, strict));

    [TestCase(true)]
    [TestCase(false)]
    public void Upstream_PeersIpisToAVcpuInL2_Exit_AndKvmKicksIt_InBothModes(bool strict)
    {
        var upstream = Run(nestedAvic: false, strict);
        var proposal = Run(nestedAvic: true, strict);
        Assert.That(upstream.Totals.VmExits.AvicIncompleteIpi.TargetNotRunning, Is.GreaterThan(100), "the running-L2 target's entry says not running");
        Assert.That(proposal.Totals.VmExits.AvicIncompleteIpi.TargetNotRunning, Is.Zero, "pinned 1:1, nothing is ever put");
        Assert.That(upstream.Totals.Kicks, Is.GreaterThan(100), "KVM kicks the target out of L2 instead of a doorbell");
        Assert.That(upstream.Totals.LostWakeups, Is.Zero);
    }

    [Test]
    public void Upstream_SameInBothModes_TheInhibitDoesNotDependOnStrictness()
    {
        var strict = Run(nestedAvic: false, strict: true);
        var nonStrict = Run(nestedAvic: false, strict: false);
        Assert.That(nonStrict.Totals.VmExits.AvicIncompleteIpi.TargetNotRunning, Is.EqualTo(strict.Totals.VmExits.AvicIncompleteIpi.TargetNotRunning));
        Assert.That(nonStrict.Totals.Kicks, Is.EqualTo(strict.Totals.Kicks));
    }

    [Test]
    public void Upstream_L1InterruptsWaitUntilTheVcpuLeavesL2_SoTheyTakeLonger()
    {
        var upstream = Run(nestedAvic: false, strict: true);
        var proposal = Run(nestedAvic: true, strict: true);
        Assert.That(upstream.Totals.IpisDelivered, Is.GreaterThan(100));
        TestContext.Out.WriteLine($"upstream {upstream.Totals.IpiLatencyNs}, proposal {proposal.Totals.IpiLatencyNs}");
        Assert.That(upstream.Totals.IpiLatencyNs.Mean, Is.GreaterThan(proposal.Totals.IpiLatencyNs.Mean * 1.5), "an exit, a kick and the wait to leave L2 instead of a doorbell");
        Assert.That(upstream.Totals.IpiLatencyNs.P90, Is.GreaterThan(proposal.Totals.IpiLatencyNs.P90));
    }
}
