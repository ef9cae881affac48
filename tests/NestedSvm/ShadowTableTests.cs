using Emu.Core.Contracts;
using Emu.Core.Model;
using Emu.Core.Workloads;
using Emu.Plugins.NestedSvm;
using Microsoft.Extensions.Configuration;

namespace Emu.Tests.NestedSvm;

/// <summary>L1's table for L2 and the shadow L0 derives from it and from where the L1 vCPUs run.</summary>
public class ShadowTableTests
{
    private sealed class NoProgram : IWorkload
    {
        public GuestAction Next(int vcpu) => GuestAction.Compute(1000);

        public void OnInterrupt(int vcpu, byte vector)
        {
        }
    }

    private static NestedVm Vm(int l1Vcpus, int l2Vcpus, L2Mapping mapping) =>
        new(new VmInfo(0, "vm0", 0, l1Vcpus), new NestedOptions(l2Vcpus, mapping, 0.5, 100_000, true), new NoProgram(), firstTarget: 0);

    [Test]
    public void Shadow_TranslatesL1HostIdsToThePcpu_AndIsRunningOnlyWhereL1RunsItAndTheL1VcpuIsLoaded()
    {
        var n = Vm(4, 4, L2Mapping.Pinned);
        var l1 = new PhysicalApicIdEntry(n.L1Table[2]);
        Assert.That(l1.IsValid && !l1.IsRunning, Is.True);
        Assert.That(l1.HostPhysicalApicId, Is.EqualTo(2), "L1 names its own vCPU's APIC ID");
        Assert.That(l1.BackingPage, Is.Not.Zero);

        n.NestedLoad(2, 0x13);
        var shadow = new PhysicalApicIdEntry(n.Shadow[2]);
        Assert.That(shadow.HostPhysicalApicId, Is.EqualTo(0x13), "the shadow names the real pCPU");
        Assert.That(shadow.IsRunning, Is.False, "L1 does not run the L2 vCPU yet");
        Assert.That(shadow.IsValid && shadow.BackingPage != 0 && shadow.BackingPage != l1.BackingPage, Is.True, "L0's own backing page");

        n.L1SetRunning(2, true);
        Assert.That(new PhysicalApicIdEntry(n.Shadow[2]).IsRunning, Is.True);
        Assert.That(new PhysicalApicIdEntry(n.Shadow[1]).IsRunning, Is.False, "other entries untouched");

        n.NestedPut(2);
        shadow = new PhysicalApicIdEntry(n.Shadow[2]);
        Assert.That(shadow.IsRunning, Is.False, "nested put clears IsRunning");
        Assert.That(shadow.HostPhysicalApicId, Is.EqualTo(0x13), "and keeps the last host id");
        Assert.That(new PhysicalApicIdEntry(n.L1Table[2]).IsRunning, Is.True, "L1's own table does not change: L1 does not know");

        n.NestedLoad(2, 0x20);
        shadow = new PhysicalApicIdEntry(n.Shadow[2]);
        Assert.That(shadow.IsRunning && shadow.HostPhysicalApicId == 0x20, Is.True, "loaded elsewhere: running there");

        n.L1SetRunning(2, false);
        Assert.That(new PhysicalApicIdEntry(n.Shadow[2]).IsRunning, Is.False, "L1 stopping it clears the shadow at once (write tracking)");
    }

    [Test]
    public void SpreadMapping_SharesL1Vcpus_AndTheNestedLoadMovesAllOfTheirEntries()
    {
        var n = Vm(2, 5, L2Mapping.Spread);
        Assert.That(n.HostOf, Is.EqualTo(new[] { 0, 1, 0, 1, 0 }));
        Assert.That(n.Hosted[0], Is.EqualTo(new[] { 0, 2, 4 }));
        n.NestedLoad(0, 0x7);
        foreach (int j in new[] { 0, 2, 4 })
        {
            Assert.That(new PhysicalApicIdEntry(n.Shadow[j]).HostPhysicalApicId, Is.EqualTo(0x7));
        }

        Assert.That(new PhysicalApicIdEntry(n.Shadow[1]).HostPhysicalApicId, Is.Zero);
    }

    [Test]
    public void LogicalTable_FlatUpToEight_ClusterBeyond()
    {
        var flat = Vm(8, 8, L2Mapping.Pinned);
        Assert.That(new LogicalApicIdEntry(flat.Logical[7]).GuestPhysicalApicId, Is.EqualTo(7));
        var cluster = Vm(10, 10, L2Mapping.Pinned);
        Assert.That(new LogicalApicIdEntry(cluster.Logical[9]).GuestPhysicalApicId, Is.EqualTo(9), "cluster 2, bit 1 = index 9");
        Assert.That(cluster.Info[9].FlatLogicalMode, Is.False);
    }
}
