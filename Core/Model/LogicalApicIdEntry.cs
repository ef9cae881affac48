namespace Emu.Core.Model;

/// <summary>
/// One 32-bit entry of the AVIC logical APIC ID table: guest physical APIC ID in 7:0, Valid in bit 31
/// (AVIC_LOGICAL_ID_ENTRY_GUEST_PHYSICAL_ID_MASK, AVIC_LOGICAL_ID_ENTRY_VALID_BIT).
/// </summary>
public readonly record struct LogicalApicIdEntry(uint Value)
{
    public const uint GuestPhysicalIdMask = 0xFF;
    public const uint ValidMask = 1u << 31;

    public int GuestPhysicalApicId => (int)(Value & GuestPhysicalIdMask);

    public bool IsValid => (Value & ValidMask) != 0;

    public static LogicalApicIdEntry Create(int guestPhysicalApicId) => new(((uint)guestPhysicalApicId & GuestPhysicalIdMask) | ValidMask);

    public override string ToString() => $"0x{Value:X8} (valid={(IsValid ? 1 : 0)} phys=0x{GuestPhysicalApicId:X2})";
}
