using Emu.Core.Topology;

namespace Emu.Tests;

public class TopologyTests
{
    [Test]
    public void TwoSocketsFourCoresTwoThreads_NumbersLikeLinuxOnAmd()
    {
        var t = new HostTopology(2, 4, 2);
        Assert.That(t.Count, Is.EqualTo(16));
        // First threads of all 8 cores are CPUs 0-7; their siblings are 8-15.
        Assert.That(t.Cpus[0].SmtSibling, Is.EqualTo(8));
        Assert.That(t.Cpus[8].SmtSibling, Is.EqualTo(0));
        Assert.That(t.Cpus[5].Socket, Is.EqualTo(1));
        Assert.That(t.Cpus[5].Core, Is.EqualTo(1));
        // APIC ID = socket << 3 | core << 1 | thread (2 core bits, 1 thread bit).
        Assert.That(t.Cpus[5].ApicId, Is.EqualTo((1 << 3) | (1 << 1) | 0));
        Assert.That(t.Cpus[13].ApicId, Is.EqualTo((1 << 3) | (1 << 1) | 1));
        Assert.That(t.Cpus[13].NumaNode, Is.EqualTo(1));
        Assert.That(t.Cpus.Select(c => c.ApicId).Distinct().Count(), Is.EqualTo(16));
    }

    [Test]
    public void NonPowerOfTwoCores_LeaveGapsInApicIds()
    {
        var t = new HostTopology(2, 3, 1);
        Assert.That(t.Cpus.Select(c => c.ApicId), Is.EqualTo(new[] { 0, 1, 2, 4, 5, 6 }));
        Assert.That(t.Cpus[0].SmtSibling, Is.EqualTo(-1));
    }

    [Test]
    public void NumaNodesPerSocket_SplitCores()
    {
        var t = new HostTopology(1, 8, 2, numaNodesPerSocket: 2);
        Assert.That(t.Cpus[3].NumaNode, Is.EqualTo(0));
        Assert.That(t.Cpus[4].NumaNode, Is.EqualTo(1));
        Assert.That(t.Cpus[12].NumaNode, Is.EqualTo(1), "a sibling shares its core's node");
    }

    [Test]
    public void ApicIdsBeyondTwelveBits_AreRefused()
    {
        Assert.That(() => new HostTopology(16, 1024, 1), Throws.ArgumentException);
    }
}
