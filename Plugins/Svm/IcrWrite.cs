using Emu.Core.Contracts;
using Emu.Core.Model;

namespace Emu.Plugins.Svm;

/// <summary>
/// What the hardware does when a guest in AVIC mode writes ICR (DESIGN §3, kvm-avic.md §2): checks the vector
/// and delivery type, resolves the destinations through the physical and logical tables, sets each target's
/// IRR, rings a doorbell at each running target's host APIC ID, and exits with AVIC_INCOMPLETE_IPI when it
/// cannot finish. Allocates nothing: targets go into a preallocated buffer.
/// </summary>
internal sealed class IcrWrite
{
    private readonly AvicContext _ctx;
    private readonly Doorbell _doorbell;
    private readonly int[] _targets = new int[PhysicalApicIdTable.MaxIndex + 1];

    public IcrWrite(AvicContext ctx, Doorbell doorbell)
    {
        _ctx = ctx;
        _doorbell = doorbell;
    }

    public IcrWriteOutcome Write(int sender, Icr icr)
    {
        var machine = _ctx.Machine;
        _ctx.Pages[sender].Icr = icr; // the write lands in the backing page; the hardware acts on it from there
        if (icr.Vector < 16)
        {
            return IcrWriteOutcome.IncompleteIpi(icr, IncompleteIpiCause.InvalidIpiVector, 0);
        }

        if (icr.DeliveryMode != DeliveryMode.Fixed || icr.IsLevelTriggered)
        {
            // AVIC only virtualizes fixed, edge-triggered interrupts; KVM emulates the rest.
            return IcrWriteOutcome.IncompleteIpi(icr, IncompleteIpiCause.InvalidIntType, 0);
        }

        if (icr.Shorthand == DestinationShorthand.Self)
        {
            // The CPU skips the physical table and sets its own vIRR: never an exit, even without IPI virtualization.
            machine.SetIrr(sender, icr.Vector);
            machine.AcceptInGuest(sender);
            return IcrWriteOutcome.Accelerated;
        }

        ref readonly VcpuInfo s = ref machine.Vcpu(sender);
        var status = Resolve(s, icr, out int count, out int badIndex);
        if (status == ResolveStatus.InvalidTarget)
        {
            return IcrWriteOutcome.IncompleteIpi(icr, IncompleteIpiCause.InvalidTarget, badIndex);
        }

        if (status == ResolveStatus.InvalidBackingPage)
        {
            return IcrWriteOutcome.IncompleteIpi(icr, IncompleteIpiCause.InvalidBackingPage, badIndex);
        }

        var table = _ctx.Physical[s.Vm];
        var vm = machine.Vms[s.Vm];
        int notRunningIndex = -1;
        for (int i = 0; i < count; i++)
        {
            int apicId = _targets[i];
            int target = vm.VcpuId(apicId); // APIC ID == vCPU index while AVIC is active
            machine.SetIrr(target, icr.Vector);

            // Between the IRR write and the IsRunning read the hardware needs a barrier; erratum #1235 is
            // the stale read the fault injection models.
            var entry = table[apicId];
            bool running = entry.IsRunning || Erratum1235StaleRead(target);
            if (target == sender)
            {
                machine.AcceptInGuest(sender); // all-including-self: the sender takes its own at once
            }
            else if (running)
            {
                _doorbell.Ring(entry.HostPhysicalApicId, target, s.Vm);
            }
            else if (notRunningIndex < 0)
            {
                notRunningIndex = apicId;
            }
        }

        return notRunningIndex < 0
            ? IcrWriteOutcome.Accelerated
            : IcrWriteOutcome.IncompleteIpi(icr, IncompleteIpiCause.TargetNotRunning, notRunningIndex);
    }

    /// <summary>
    /// Fills the target buffer with physical-table indexes. Broadcasts skip invalid entries; any other invalid
    /// target (entry, index beyond the table, logical entry) fails the whole write before anything is written.
    /// </summary>
    private ResolveStatus Resolve(in VcpuInfo sender, Icr icr, out int count, out int badIndex)
    {
        var table = _ctx.Physical[sender.Vm];
        count = 0;
        badIndex = 0;
        bool broadcast = icr.Shorthand is DestinationShorthand.AllIncludingSelf or DestinationShorthand.AllExcludingSelf
            || (!icr.IsLogical && icr.Destination == Icr.PhysicalBroadcast);
        if (broadcast)
        {
            for (int i = 0; i < table.Count; i++)
            {
                if (table[i].IsValid && !(icr.Shorthand == DestinationShorthand.AllExcludingSelf && i == sender.ApicId))
                {
                    _targets[count++] = i;
                }
            }

            return CheckBackingPages(table, count, ref badIndex);
        }

        if (!icr.IsLogical)
        {
            int index = icr.Destination;
            if (!table.InRange(index) || !table[index].IsValid)
            {
                badIndex = index;
                return ResolveStatus.InvalidTarget;
            }

            _targets[count++] = index;
            return CheckBackingPages(table, count, ref badIndex);
        }

        var logical = _ctx.Logical[sender.Vm];
        uint dest = icr.Destination;
        bool flat = sender.FlatLogicalMode;
        uint bits = flat ? dest : dest & 0xF;
        int baseIndex = flat ? 0 : (int)(dest >> 4) * 4;
        if (!flat && (dest >> 4) >= 0xF)
        {
            badIndex = (int)dest;
            return ResolveStatus.InvalidTarget; // cluster 0xF (broadcast) is left to KVM
        }

        for (int bit = 0; bit < (flat ? 8 : 4); bit++)
        {
            if ((bits & (1u << bit)) == 0)
            {
                continue;
            }

            int li = baseIndex + bit;
            var le = logical[li];
            if (!le.IsValid)
            {
                badIndex = li;
                return ResolveStatus.InvalidTarget;
            }

            int pi = le.GuestPhysicalApicId;
            if (!table.InRange(pi) || !table[pi].IsValid)
            {
                badIndex = li;
                return ResolveStatus.InvalidTarget;
            }

            _targets[count++] = pi;
        }

        return CheckBackingPages(table, count, ref badIndex);
    }

    private ResolveStatus CheckBackingPages(PhysicalApicIdTable table, int count, ref int badIndex)
    {
        for (int i = 0; i < count; i++)
        {
            if (table[_targets[i]].BackingPage == 0)
            {
                badIndex = _targets[i];
                return ResolveStatus.InvalidBackingPage;
            }
        }

        return ResolveStatus.Ok;
    }

    /// <summary>Erratum #1235: within the window after IsRunning was cleared the hardware may act on the stale 1.</summary>
    private bool Erratum1235StaleRead(int target)
    {
        long window = _ctx.Options.Erratum1235WindowNs;
        return window > 0 && _ctx.Machine.Now - _ctx.IsRunningClearedAt[target] < window;
    }
}
