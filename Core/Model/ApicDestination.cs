namespace Emu.Core.Model;

/// <summary>
/// KVM's software destination match (kvm_apic_match_dest) for xAPIC: shorthands, physical ids with 0xFF
/// broadcast, logical flat (a bitmap of up to 8 CPUs) and logical cluster (cluster in the high nibble,
/// a bitmap of up to 4 CPUs in the low nibble).
/// </summary>
public static class ApicDestination
{
    public static bool Matches(in VcpuInfo target, Icr icr, int senderApicId)
    {
        switch (icr.Shorthand)
        {
            case DestinationShorthand.Self: return target.ApicId == senderApicId;
            case DestinationShorthand.AllIncludingSelf: return true;
            case DestinationShorthand.AllExcludingSelf: return target.ApicId != senderApicId;
        }

        byte dest = icr.Destination;
        if (!icr.IsLogical)
        {
            return dest == Icr.PhysicalBroadcast || target.ApicId == dest;
        }

        if (dest == 0xFF)
        {
            return true;
        }

        uint logical = target.LogicalId;
        if (target.FlatLogicalMode)
        {
            return (logical & dest) != 0;
        }

        return (logical >> 4) == (uint)(dest >> 4) && (logical & dest & 0xF) != 0;
    }
}
