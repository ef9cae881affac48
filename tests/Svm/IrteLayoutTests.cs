using Emu.Plugins.Svm;

namespace Emu.Tests.Svm;

/// <summary>The IRTE as amd_iommu_types.h lays it out (irte_ga_lo fields_vapic, irte_ga_hi).</summary>
public class IrteLayoutTests
{
    [Test]
    public void ActivateThenRun_SetsTheRealBits()
    {
        var e = IrteGa.Activate(gaTag: 0x1003, vector: 0x40, backingPage: 0x1_0000_3000, gaLogIntr: true);
        Assert.That(e.Lo, Is.EqualTo(0x0000_1003_0000_0085UL), "GA tag 63:32, GuestMode bit 7, GALogIntr bit 2, RemapEn bit 0");
        Assert.That(e.Hi, Is.EqualTo(0x0000_0001_0000_3040UL), "GARootPtr 51:12, vector 7:0");
        e.SetRunning(0x1_23_4567);
        e.SetGaLogIntr(false);
        Assert.That(e.Lo, Is.EqualTo(0x0000_1003_2345_67C1UL), "Destination[23:0] in 31:8, IsRun bit 6");
        Assert.That(e.Hi >> 56, Is.EqualTo(0x01UL), "Destination[31:24] in the high word's 63:56");
        Assert.That(e.Destination, Is.EqualTo(0x1_23_4567));
        Assert.That((e.IsRun, e.GuestMode, e.GaLogIntr, e.Vector, e.GaTag, e.GaRootPtr), Is.EqualTo((true, true, false, (byte)0x40, 0x1003u, 0x1_0000_3000UL)));
    }

    [Test]
    public void Put_KeepsTheDestination_Deactivate_LeavesGuestMode()
    {
        var e = IrteGa.Activate(0x1000, 0x40, 0x1_0000_0000, gaLogIntr: false);
        e.SetRunning(5);
        e.ClearRunning();
        Assert.That((e.IsRun, e.Destination), Is.EqualTo((false, 5)), "__amd_iommu_update_ga(cpu < 0) clears IsRun only");
        e.Deactivate();
        Assert.That((e.GuestMode, e.IsRun, e.GaLogIntr, e.RemapEn), Is.EqualTo((false, false, false, true)));
    }
}
