using Emu.Core.Contracts;
using Emu.Core.Model;

namespace Emu.Plugins.Svm;

/// <summary>
/// svm_deliver_interrupt and svm_complete_interrupt_delivery with AVIC active: set the IRR, then ring the
/// doorbell if the vCPU is in guest mode (KVM reads vcpu->mode, not IsRunning) or wake it otherwise.
/// </summary>
internal sealed class KvmInterruptDelivery : IInterruptDelivery
{
    private readonly AvicContext _ctx;
    private readonly Doorbell _doorbell;

    public KvmInterruptDelivery(AvicContext ctx, Doorbell doorbell)
    {
        _ctx = ctx;
        _doorbell = doorbell;
    }

    public bool DeliverInterrupt(int target, byte vector)
    {
        bool fresh = _ctx.Targets.SetIrr(target, vector);
        CompleteDelivery(target);
        return fresh;
    }

    public void CompleteDelivery(int target)
    {
        var machine = _ctx.Machine;
        if (_ctx.Inhibited[target])
        {
            // !apicv_active: KVM_REQ_EVENT and kvm_vcpu_kick (out of guest mode, or awake if blocked).
            if (machine.StateOf(target) == VcpuState.InGuest)
            {
                _ctx.Targets.Kick(target);
            }
            else
            {
                _ctx.Targets.WakeUp(target);
            }

            return;
        }

        if (machine.StateOf(target) == VcpuState.InGuest)
        {
            // avic_ring_doorbell: to vcpu->cpu, the pCPU KVM last loaded it on.
            _doorbell.Ring(machine.Topology.Cpus[machine.CpuOf(target)].ApicId, target, machine.Vcpu(target).Vm);
        }
        else
        {
            _ctx.Targets.WakeUp(target);
        }
    }
}
