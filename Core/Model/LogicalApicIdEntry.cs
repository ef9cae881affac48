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

    /// <summary>
    /// The table index of a logical APIC ID (avic_get_logical_id_entry): flat mode = the position of its one
    /// destination bit; cluster mode = cluster * 4 + bit, for clusters 0..14. -1 when the id names no single entry.
    /// </summary>
    public static int TableIndex(uint logicalId, bool flat)
    {
        logicalId &= 0xFF;
        if (flat)
        {
            return System.Numerics.BitOperations.PopCount(logicalId) == 1 ? System.Numerics.BitOperations.TrailingZeroCount(logicalId) : -1;
        }

        uint cluster = logicalId >> 4;
        uint bits = logicalId & 0xF;
        if (cluster >= 0xF || System.Numerics.BitOperations.PopCount(bits) != 1)
        {
            return -1;
        }

        return (int)((cluster * 4) + (uint)System.Numerics.BitOperations.TrailingZeroCount(bits));
    }

    public static LogicalApicIdEntry Create(int guestPhysicalApicId) => new(((uint)guestPhysicalApicId & GuestPhysicalIdMask) | ValidMask);

    public override string ToString() => $"0x{Value:X8} (valid={(IsValid ? 1 : 0)} phys=0x{GuestPhysicalApicId:X2})";
}
