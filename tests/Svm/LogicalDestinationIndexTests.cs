using Emu.Core.Model;
using Emu.Plugins.Svm;

namespace Emu.Tests.Svm;

/// <summary>The per-VM index of logical destinations (avic_kick_target_vcpus without a scan) against the scan itself.</summary>
public class LogicalDestinationIndexTests
{
    [TestCase(1)]
    [TestCase(5)]
    [TestCase(8)]
    [TestCase(9)]
    [TestCase(60)]
    [TestCase(64)]
    [TestCase(128)]
    public void EveryLogicalDestination_NamesTheVcpusAScanMatches_InIndexOrder(int vcpus)
    {
        var infos = Enumerable.Range(0, vcpus).Select(i => VcpuInfo.ForGuest(100 + i, vm: 3, i, vcpus, task: i)).ToArray();
        var index = LogicalDestinationIndex.Build(infos, new Dictionary<string, int[][]>());
        Assert.That(index, Has.Length.EqualTo(255), "every destination but broadcast (0xFF)");
        int named = 0;
        for (int dest = 0; dest < 255; dest++)
        {
            var icr = Icr.Fixed(vector: 0xF0, destination: (byte)dest, logical: true);
            var scan = Enumerable.Range(0, vcpus).Where(i => ApicDestination.Matches(in infos[i], icr, infos[0].ApicId)).ToArray();
            Assert.That(index[dest], Is.EqualTo(scan), $"destination 0x{dest:X2}");
            named += scan.Length;
        }

        Assert.That(named, Is.GreaterThan(0), "some destination names some vCPU");
    }

    [Test]
    public void VmsWithTheSameLayout_ShareOneTable_OthersGetTheirOwn()
    {
        var layouts = new Dictionary<string, int[][]>();
        VcpuInfo[] Vm(int vm, int vcpus) => Enumerable.Range(0, vcpus).Select(i => VcpuInfo.ForGuest(vm * 1000 + i, vm, i, vcpus, i)).ToArray();
        var a = LogicalDestinationIndex.Build(Vm(0, 64), layouts);
        var b = LogicalDestinationIndex.Build(Vm(1, 64), layouts);
        var c = LogicalDestinationIndex.Build(Vm(2, 8), layouts);
        Assert.That(b, Is.SameAs(a));
        Assert.That(c, Is.Not.SameAs(a));
        Assert.That(c[0x81], Is.EqualTo(new[] { 0, 7 }), "flat: bits 0 and 7");
        Assert.That(a[0x21], Is.EqualTo(new[] { 8 }), "cluster 2, first member");
    }
}
