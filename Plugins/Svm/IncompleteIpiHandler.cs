using Emu.Core.Contracts;
using Emu.Core.Machine;
using Emu.Core.Model;

namespace Emu.Plugins.Svm;

/// <summary>
/// KVM's avic_incomplete_ipi_interception (current code, kvm-avic.md §3.1): TARGET_NOT_RUNNING kicks every
/// matching target (IRRs are already set); INVALID_INT_TYPE and INVALID_TARGET are emulated as a plain ICR
/// write; INVALID_BACKING_PAGE only warns; INVALID_IPI_VECTOR is dropped.
/// </summary>
internal sealed class IncompleteIpiHandler
{
    private readonly AvicContext _ctx;
    private readonly KvmInterruptDelivery _delivery;

    public IncompleteIpiHandler(AvicContext ctx, KvmInterruptDelivery delivery)
    {
        _ctx = ctx;
        _delivery = delivery;
    }

    public long Handle(int sender, in IcrWriteOutcome exit)
    {
        var machine = _ctx.Machine;
        var icr = new Icr(exit.ExitInfo1);
        switch (exit.Cause)
        {
            case IncompleteIpiCause.TargetNotRunning:
                KickTargets(sender, icr);
                break;
            case IncompleteIpiCause.InvalidIntType:
            case IncompleteIpiCause.InvalidTarget:
                EmulatedInterruptController.EmulateIcrWrite(machine, sender, icr, _delivery);
                break;
            default:
                break; // INVALID_BACKING_PAGE: WARN in KVM; INVALID_IPI_VECTOR: ignored
        }

        return machine.Costs.IpiEmulationNs;
    }

    /// <summary>avic_kick_target_vcpus: svm_complete_interrupt_delivery for every vCPU the ICR names.</summary>
    private void KickTargets(int sender, Icr icr)
    {
        var machine = _ctx.Machine;
        ref readonly VcpuInfo s = ref machine.Vcpu(sender);
        var vm = machine.Vms[s.Vm];
        for (int i = 0; i < vm.VcpuCount; i++)
        {
            int target = vm.VcpuId(i);
            if (target != sender && ApicDestination.Matches(in machine.Vcpu(target), icr, s.ApicId))
            {
                _delivery.CompleteDelivery(target);
            }
        }
    }
}
