namespace Emu.Plugins.Svm;

/// <summary>
/// An AMD IOMMU interrupt remapping table entry in the 128-bit guest virtual APIC (GA) format, as the real bit layout
/// (drivers/iommu/amd/amd_iommu_types.h, union irte_ga_lo fields_vapic and union irte_ga_hi; AMD IOMMU spec §2.2.5):
/// low word bit 0 RemapEn, 2 GALogIntr, 6 IsRun, 7 GuestMode, 31:8 Destination[23:0], 63:32 GATag; high word 7:0
/// Vector, 51:12 GARootPtr (the backing page's address), 63:56 Destination[31:24].
/// </summary>
internal struct IrteGa
{
    public const ulong RemapEnMask = 1UL << 0;
    public const ulong GaLogIntrMask = 1UL << 2;
    public const ulong IsRunMask = 1UL << 6;
    public const ulong GuestModeMask = 1UL << 7;
    public const int DestinationLoShift = 8;
    public const ulong DestinationLoMask = 0xFF_FFFFUL << DestinationLoShift;
    public const int GaTagShift = 32;
    public const ulong VectorMask = 0xFFUL;
    public const ulong GaRootPtrMask = 0x000F_FFFF_FFFF_F000UL;
    public const int DestinationHiShift = 56;

    public ulong Lo;
    public ulong Hi;

    public readonly bool RemapEn => (Lo & RemapEnMask) != 0;

    /// <summary>With IsRun = 0: write a GA-log entry (and so raise the GA-log interrupt) for each interrupt posted.</summary>
    public readonly bool GaLogIntr => (Lo & GaLogIntrMask) != 0;

    /// <summary>The target is running: ring a doorbell at <see cref="Destination"/> after posting.</summary>
    public readonly bool IsRun => (Lo & IsRunMask) != 0;

    /// <summary>Posted (vAPIC) mode; 0 is legacy remapping to the host.</summary>
    public readonly bool GuestMode => (Lo & GuestModeMask) != 0;

    /// <summary>The host physical APIC ID the doorbell goes to.</summary>
    public readonly int Destination => (int)(((Lo & DestinationLoMask) >> DestinationLoShift) | ((Hi >> DestinationHiShift) << 24));

    public readonly uint GaTag => (uint)(Lo >> GaTagShift);

    public readonly byte Vector => (byte)(Hi & VectorMask);

    /// <summary>The backing page whose IRR the IOMMU writes.</summary>
    public readonly ulong GaRootPtr => Hi & GaRootPtrMask;

    /// <summary>amd_iommu_activate_guest_mode: a fresh guest-mode entry, not running, for the vCPU's backing page.</summary>
    public static IrteGa Activate(uint gaTag, byte vector, ulong backingPage, bool gaLogIntr)
    {
        var e = new IrteGa
        {
            Lo = RemapEnMask | GuestModeMask | ((ulong)gaTag << GaTagShift),
            Hi = vector | (backingPage & GaRootPtrMask),
        };
        e.SetGaLogIntr(gaLogIntr);
        return e;
    }

    /// <summary>__amd_iommu_update_ga with a CPU: Destination = its APIC ID, IsRun = 1.</summary>
    public void SetRunning(int destination)
    {
        Lo = (Lo & ~DestinationLoMask) | (((ulong)destination & 0xFF_FFFFUL) << DestinationLoShift) | IsRunMask;
        Hi = (Hi & ~(0xFFUL << DestinationHiShift)) | (((ulong)destination >> 24) << DestinationHiShift);
    }

    /// <summary>__amd_iommu_update_ga without a CPU: IsRun = 0 (the destination is kept).</summary>
    public void ClearRunning() => Lo &= ~IsRunMask;

    public void SetGaLogIntr(bool on) => Lo = on ? Lo | GaLogIntrMask : Lo & ~GaLogIntrMask;

    /// <summary>amd_iommu_deactivate_guest_mode: back to legacy remapping, the host takes the interrupt.</summary>
    public void Deactivate() => Lo &= ~(GuestModeMask | IsRunMask | GaLogIntrMask);

    public override readonly string ToString() =>
        $"IRTE 0x{Hi:X16}_{Lo:X16} (GuestMode {(GuestMode ? 1 : 0)}, IsRun {(IsRun ? 1 : 0)}, GALogIntr {(GaLogIntr ? 1 : 0)}, destination 0x{Destination:X}, GA tag 0x{GaTag:X8}, vector 0x{Vector:X2})";
}
