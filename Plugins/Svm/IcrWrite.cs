using Emu.Core.Contracts;
using Emu.Core.Model;

namespace Emu.Plugins.Svm;

/// <summary>
/// What the hardware does when a guest in AVIC mode writes ICR (DESIGN §3, kvm-avic.md §2): checks the vector
/// and delivery type, resolves the destinations through the physical and logical tables, sets each target's
/// IRR, rings a doorbell at each running target's host APIC ID, and exits with AVIC_INCOMPLETE_IPI when it
/// cannot finish. Destination resolution is <see cref="IcrDestinations"/>'s. Allocates nothing: targets go into a
/// preallocated buffer.
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
        ref readonly VcpuInfo s = ref machine.Vcpu(sender);
        var table = _ctx.Physical[s.Vm];
        var resolved = IcrDestinations.Resolve(table.Raw, _ctx.Logical[s.Vm].Raw, s.FlatLogicalMode, s.ApicId, icr, _targets, out int count);
        if (resolved.Exits)
        {
            return resolved;
        }

        if (icr.Shorthand == DestinationShorthand.Self)
        {
            // Never an exit, even without IPI virtualization: the CPU sets its own vIRR.
            _ctx.Targets.SetIrr(sender, icr.Vector);
            _ctx.Targets.AcceptInGuest(sender);
            return IcrWriteOutcome.Accelerated;
        }

        var vm = machine.Vms[s.Vm];
        int notRunningIndex = -1;
        for (int i = 0; i < count; i++)
        {
            int apicId = _targets[i];
            int target = vm.VcpuId(apicId); // APIC ID == vCPU index while AVIC is active
            _ctx.Targets.SetIrr(target, icr.Vector);

            // Between the IRR write and the IsRunning read the hardware needs a barrier; erratum #1235 is
            // the stale read the fault injection models.
            var entry = table[apicId];
            bool running = entry.IsRunning || Erratum1235StaleRead(target);
            if (!running)
            {
                // Its own entry too: with IPI virtualization off a physical IPI to oneself exits like any other
                // (only the Self shorthand skips the table).
                if (notRunningIndex < 0)
                {
                    notRunningIndex = apicId;
                }
            }
            else if (target == sender)
            {
                _ctx.Targets.AcceptInGuest(sender); // to oneself (all-including-self, or by its own id): taken at once
            }
            else
            {
                _doorbell.Ring(entry.HostPhysicalApicId, target, s.Vm);
            }
        }

        return notRunningIndex < 0
            ? IcrWriteOutcome.Accelerated
            : IcrWriteOutcome.IncompleteIpi(icr, IncompleteIpiCause.TargetNotRunning, notRunningIndex);
    }

    /// <summary>Erratum #1235: within the window after IsRunning was cleared the hardware may act on the stale 1.</summary>
    private bool Erratum1235StaleRead(int target)
    {
        long window = _ctx.Options.Erratum1235WindowNs;
        return window > 0 && _ctx.Machine.Now - _ctx.IsRunningClearedAt[target] < window;
    }
}
