namespace Emu.Core.Model;

/// <summary>
/// One 64-bit entry of the AVIC physical APIC ID table (APM vol. 2 §15.29; KVM's asm/svm.h):
/// host physical APIC ID 11:0, backing page 51:12, KVM's GA_LOG_INTR 61 (shadow only), IsRunning 62, Valid 63.
/// </summary>
public readonly record struct PhysicalApicIdEntry(ulong Value)
{
    /// <summary>AVIC_PHYSICAL_ID_ENTRY_HOST_PHYSICAL_ID_MASK, GENMASK(11, 0).</summary>
    public const ulong HostPhysicalIdMask = 0xFFFUL;

    /// <summary>AVIC_PHYSICAL_ID_ENTRY_BACKING_PAGE_MASK, GENMASK(51, 12).</summary>
    public const ulong BackingPageMask = 0x000F_FFFF_FFFF_F000UL;

    /// <summary>KVM-synthetic, never propagated to the hardware-visible table.</summary>
    public const ulong GaLogIntrMask = 1UL << 61;

    /// <summary>AVIC_PHYSICAL_ID_ENTRY_IS_RUNNING_MASK.</summary>
    public const ulong IsRunningMask = 1UL << 62;

    /// <summary>AVIC_PHYSICAL_ID_ENTRY_VALID_MASK.</summary>
    public const ulong ValidMask = 1UL << 63;

    public int HostPhysicalApicId => (int)(Value & HostPhysicalIdMask);

    public ulong BackingPage => Value & BackingPageMask;

    public bool IsRunning => (Value & IsRunningMask) != 0;

    public bool IsValid => (Value & ValidMask) != 0;

    public bool GaLogIntr => (Value & GaLogIntrMask) != 0;

    /// <summary>A fresh entry as KVM writes it at vCPU creation: backing page and Valid, not running, host id 0.</summary>
    public static PhysicalApicIdEntry Create(ulong backingPage) => new((backingPage & BackingPageMask) | ValidMask);

    public PhysicalApicIdEntry WithHostPhysicalApicId(int apicId) =>
        new((Value & ~HostPhysicalIdMask) | ((ulong)apicId & HostPhysicalIdMask));

    public PhysicalApicIdEntry WithIsRunning(bool running) =>
        new(running ? Value | IsRunningMask : Value & ~IsRunningMask);

    public PhysicalApicIdEntry WithGaLogIntr(bool on) =>
        new(on ? Value | GaLogIntrMask : Value & ~GaLogIntrMask);

    public PhysicalApicIdEntry WithValid(bool valid) =>
        new(valid ? Value | ValidMask : Value & ~ValidMask);

    public PhysicalApicIdEntry WithBackingPage(ulong page) =>
        new((Value & ~BackingPageMask) | (page & BackingPageMask));

    public override string ToString() =>
        $"0x{Value:X16} (valid={(IsValid ? 1 : 0)} running={(IsRunning ? 1 : 0)} host=0x{HostPhysicalApicId:X3} page=0x{BackingPage:X})";
}
