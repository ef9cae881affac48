using Emu.Core.Contracts;
using Emu.Core.Model;

namespace Emu.Plugins.Svm;

/// <summary>
/// How the hardware resolves an ICR write's destinations through the physical and logical APIC ID tables
/// (APM vol. 2, 15.29.4.3; kvm-avic.md §2): vector and delivery-type checks, shorthands, physical, logical flat
/// and logical cluster destinations, and the backing-page check. Works on the raw tables so that the L1 tables
/// and the nested shadow tables go through the same code. Allocates nothing.
/// </summary>
internal static class IcrDestinations
{
    public static IcrWriteOutcome Resolve(
        ReadOnlySpan<ulong> physical, ReadOnlySpan<uint> logical, bool flat, int senderIndex, Icr icr, Span<int> targets, out int count)
    {
        count = 0;
        if (icr.DeliveryMode != DeliveryMode.Fixed || icr.IsLevelTriggered)
        {
            // AVIC only virtualizes fixed, edge-triggered interrupts; KVM emulates the rest (NMI, INIT and SIPI carry
            // no vector to check, so the type is checked first).
            return IcrWriteOutcome.IncompleteIpi(icr, IncompleteIpiCause.InvalidIntType, 0);
        }

        if (icr.Vector < 16)
        {
            return IcrWriteOutcome.IncompleteIpi(icr, IncompleteIpiCause.InvalidIpiVector, 0); // fixed vectors 0-15 are reserved
        }

        if (icr.Shorthand == DestinationShorthand.Self)
        {
            targets[count++] = senderIndex; // the CPU skips the physical table for self
            return IcrWriteOutcome.Accelerated;
        }

        var status = Fill(physical, logical, flat, senderIndex, icr, targets, ref count, out int bad);
        return status switch
        {
            ResolveStatus.InvalidTarget => IcrWriteOutcome.IncompleteIpi(icr, IncompleteIpiCause.InvalidTarget, bad),
            ResolveStatus.InvalidBackingPage => IcrWriteOutcome.IncompleteIpi(icr, IncompleteIpiCause.InvalidBackingPage, bad),
            _ => IcrWriteOutcome.Accelerated,
        };
    }

    /// <summary>
    /// Fills the targets with physical-table indexes. Broadcasts skip invalid entries; any other invalid target
    /// (entry, index beyond the table, logical entry) fails the whole write before anything is written.
    /// </summary>
    private static ResolveStatus Fill(
        ReadOnlySpan<ulong> physical, ReadOnlySpan<uint> logical, bool flat, int sender, Icr icr, Span<int> targets, ref int count, out int bad)
    {
        bad = 0;
        bool broadcast = icr.Shorthand is DestinationShorthand.AllIncludingSelf or DestinationShorthand.AllExcludingSelf
            || (!icr.IsLogical && icr.Destination == Icr.PhysicalBroadcast);
        if (broadcast)
        {
            for (int i = 0; i < physical.Length; i++)
            {
                if (new PhysicalApicIdEntry(physical[i]).IsValid && !(icr.Shorthand == DestinationShorthand.AllExcludingSelf && i == sender))
                {
                    targets[count++] = i;
                }
            }

            return CheckBackingPages(physical, targets[..count], out bad);
        }

        if (!icr.IsLogical)
        {
            int index = (int)icr.Destination;
            if ((uint)index >= (uint)physical.Length || !new PhysicalApicIdEntry(physical[index]).IsValid)
            {
                bad = index;
                return ResolveStatus.InvalidTarget;
            }

            targets[count++] = index;
            return CheckBackingPages(physical, targets[..count], out bad);
        }

        uint dest = icr.Destination;
        uint bits = flat ? dest : dest & 0xF;
        int baseIndex = flat ? 0 : (int)(dest >> 4) * 4;
        if (!flat && (dest >> 4) >= 0xF)
        {
            bad = (int)dest;
            return ResolveStatus.InvalidTarget; // cluster 0xF (broadcast) is left to KVM
        }

        for (int bit = 0; bit < (flat ? 8 : 4); bit++)
        {
            if ((bits & (1u << bit)) == 0)
            {
                continue;
            }

            int li = baseIndex + bit;
            var le = new LogicalApicIdEntry(logical[li]);
            int pi = le.GuestPhysicalApicId;
            if (!le.IsValid || (uint)pi >= (uint)physical.Length || !new PhysicalApicIdEntry(physical[pi]).IsValid)
            {
                bad = li;
                return ResolveStatus.InvalidTarget;
            }

            targets[count++] = pi;
        }

        return CheckBackingPages(physical, targets[..count], out bad);
    }

    private static ResolveStatus CheckBackingPages(ReadOnlySpan<ulong> physical, ReadOnlySpan<int> targets, out int bad)
    {
        foreach (int t in targets)
        {
            if (new PhysicalApicIdEntry(physical[t]).BackingPage == 0)
            {
                bad = t;
                return ResolveStatus.InvalidBackingPage;
            }
        }

        bad = 0;
        return ResolveStatus.Ok;
    }
}
