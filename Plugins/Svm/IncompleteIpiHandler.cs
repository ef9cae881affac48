using Emu.Core.Configuration;
using Emu.Core.Contracts;
using Emu.Core.Machine;
using Emu.Core.Model;

namespace Emu.Plugins.Svm;

/// <summary>
/// KVM's avic_incomplete_ipi_interception (kvm-avic.md §3.1), for the profile's kernel. TARGET_NOT_RUNNING kicks every
/// target the ICR names (their IRRs are already set) through avic_kick_target_vcpus: the fast path finds a physical
/// unicast or a logical destination's vCPUs directly, the slow path (shorthands, broadcast, and in the 2022 tree any
/// logical destination naming more than one vCPU) visits every vCPU of the VM; either way each vCPU visited beyond
/// the first costs Costs:AvicKickPerTargetNs. INVALID_INT_TYPE is emulated (kvm_apic_send_ipi, by delivery mode);
/// INVALID_TARGET is emulated today (commit 'KVM: SVM: Handle INVALID_TARGET...' era, kvm-avic.md §3.1) and ignored in
/// the 2022 tree; INVALID_BACKING_PAGE only warns; INVALID_IPI_VECTOR is dropped.
/// </summary>
internal sealed class IncompleteIpiHandler
{
    private readonly AvicContext _ctx;
    private readonly KvmInterruptDelivery _delivery;
    private readonly KvmProfile _profile;

    public IncompleteIpiHandler(AvicContext ctx, KvmInterruptDelivery delivery, KvmProfile profile)
    {
        _ctx = ctx;
        _delivery = delivery;
        _profile = profile;
    }

    public long Handle(int sender, in IcrWriteOutcome exit)
    {
        var machine = _ctx.Machine;
        var icr = new Icr(exit.ExitInfo1);
        long cost = machine.Costs.IpiEmulationNs;
        switch (exit.Cause)
        {
            case IncompleteIpiCause.TargetNotRunning:
                cost += _ctx.Costs.AvicKickPerTargetNs * Math.Max(0, KickTargets(sender, icr) - 1);
                break;
            case IncompleteIpiCause.InvalidIntType:
                EmulatedInterruptController.EmulateIcrWrite(_ctx.Host, sender, icr, _delivery);
                break;
            case IncompleteIpiCause.InvalidTarget when _profile == KvmProfile.Current:
                EmulatedInterruptController.EmulateIcrWrite(_ctx.Host, sender, icr, _delivery);
                break;
            default:
                break; // INVALID_TARGET in the 2022 tree, INVALID_BACKING_PAGE (WARN), INVALID_IPI_VECTOR: nothing delivered
        }

        return cost;
    }

    /// <summary>
    /// avic_kick_target_vcpus: svm_complete_interrupt_delivery for every vCPU the ICR names but the sender. Returns how
    /// many vCPUs the path visited: the targets on the fast path, every vCPU of the VM on the slow path.
    /// </summary>
    private int KickTargets(int sender, Icr icr)
    {
        ref readonly VcpuInfo s = ref _ctx.Machine.Vcpu(sender);
        VcpuInfo[] vcpus = _ctx.VmVcpus[s.Vm];
        int senderApicId = s.ApicId;
        int first = s.Id - s.IndexInVm; // the VM's first vCPU (VmInfo.VcpuId)
        int kicked = 0;
        if (icr.Shorthand == DestinationShorthand.None && !icr.IsLogical && icr.Destination != Icr.PhysicalBroadcast)
        {
            int index = _ctx.VcpuIndexByApicId[s.Vm][icr.Destination];
            if (index != -2)
            {
                // One target at most: the same call the scan below would make, without visiting the VM's other vCPUs
                // (nor reading the target's VcpuInfo: a VM's vCPU ids are its first id plus the index).
                if (index >= 0 && index != s.IndexInVm)
                {
                    _delivery.CompleteDelivery(first + index);
                    kicked = 1;
                }

                return kicked;
            }
        }

        if (icr.Shorthand == DestinationShorthand.None && icr.IsLogical && icr.Destination != Icr.PhysicalBroadcast)
        {
            // The vCPUs the destination names, in index order: the calls the scan below would make, and no others.
            foreach (int index in _ctx.VcpuIndicesByLogicalDestination[s.Vm][icr.Destination])
            {
                if (index != s.IndexInVm)
                {
                    _delivery.CompleteDelivery(first + index);
                    kicked++;
                }
            }

            return FastPath(icr, kicked) ? kicked : vcpus.Length;
        }

        for (int i = 0; i < vcpus.Length; i++)
        {
            ref readonly VcpuInfo t = ref vcpus[i];
            if (t.Id != sender && ApicDestination.Matches(in t, icr, senderApicId))
            {
                _delivery.CompleteDelivery(t.Id);
                kicked++;
            }
        }

        return FastPath(icr, kicked) ? kicked : vcpus.Length;
    }

    /// <summary>avic_kick_target_vcpus_fast applies: no shorthand, not a broadcast, and (2022) one logical target at most.</summary>
    private bool FastPath(Icr icr, int targets)
    {
        if (icr.Shorthand != DestinationShorthand.None || (!icr.IsLogical && icr.Destination == Icr.PhysicalBroadcast))
        {
            return false;
        }

        return !icr.IsLogical || _profile == KvmProfile.Current || targets <= 1;
    }
}
