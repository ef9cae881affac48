using Emu.Core.Model;
using Emu.Plugins.Svm;

namespace Emu.Tests.Svm;

public class TableLayoutTests
{
    [Test]
    public void PhysicalEntry_FieldsRoundTripThroughTheRealBitPositions()
    {
        var e = PhysicalApicIdEntry.Create(0x0000_1234_5678_9000)
            .WithHostPhysicalApicId(0xABC)
            .WithIsRunning(true);
        Assert.That(e.Value, Is.EqualTo(0xC000_1234_5678_9ABCUL), "Valid 63 | IsRunning 62 | page 51:12 | host id 11:0");
        Assert.That(e.HostPhysicalApicId, Is.EqualTo(0xABC));
        Assert.That(e.BackingPage, Is.EqualTo(0x0000_1234_5678_9000UL));
        Assert.That(e.IsRunning && e.IsValid, Is.True);
        Assert.That(e.WithIsRunning(false).Value, Is.EqualTo(0x8000_1234_5678_9ABCUL), "put keeps the host id");
        Assert.That(e.WithGaLogIntr(true).Value & (1UL << 61), Is.Not.Zero);
        Assert.That(new PhysicalApicIdEntry(e.Value), Is.EqualTo(e));
    }

    [Test]
    public void PhysicalEntry_HostIdIsTwelveBitsAndBackingPageIgnoresLowBits()
    {
        var e = PhysicalApicIdEntry.Create(0xFFFF_FFFF_FFFF_FFFF).WithHostPhysicalApicId(0x1FFF);
        Assert.That(e.HostPhysicalApicId, Is.EqualTo(0xFFF));
        Assert.That(e.BackingPage, Is.EqualTo(0x000F_FFFF_FFFF_F000UL));
        Assert.That(e.IsRunning, Is.False);
    }

    [Test]
    public void LogicalEntry_RoundTrips()
    {
        var e = LogicalApicIdEntry.Create(0x2A);
        Assert.That(e.Value, Is.EqualTo(0x8000_002Au));
        Assert.That(e.GuestPhysicalApicId, Is.EqualTo(0x2A));
        Assert.That(new LogicalApicIdEntry(e.Value).IsValid, Is.True);
    }

    [TestCase(0x01u, true, 0)]
    [TestCase(0x80u, true, 7)]
    [TestCase(0x03u, true, -1)]
    [TestCase(0x21u, false, 8)]
    [TestCase(0x38u, false, 15)]
    [TestCase(0xF1u, false, -1)]
    [TestCase(0x13u, false, -1)]
    public void LogicalTableIndex_FollowsKvmForFlatAndCluster(uint logicalId, bool flat, int index)
    {
        Assert.That(LogicalApicIdEntry.TableIndex(logicalId, flat), Is.EqualTo(index));
    }

    [Test]
    public void PhysicalTable_HoldsAtMost255Entries()
    {
        Assert.That(() => new PhysicalApicIdTable(256), Throws.TypeOf<ArgumentOutOfRangeException>());
        var t = new PhysicalApicIdTable(255);
        Assert.That(t.InRange(0xFE), Is.True);
        Assert.That(t.InRange(0xFF), Is.False);
    }
}
