using Emu.Core.Contracts;
using Emu.Core.Model;

namespace Emu.Core.Machine;

/// <summary>
/// KVM with AVIC off: every guest ICR write traps and KVM emulates it in software (kvm_apic_send_ipi), setting
/// each target's IRR and kicking it (a target in guest mode exits so the interrupt is injected at re-entry;
/// a blocked one is woken). The reference the accelerated path is compared against.
/// </summary>
public sealed class EmulatedInterruptController : IInterruptVirtualization
{
    private IVirtualizationContext _host = null!;

    public string Name => "emulated";

    public void Initialize(IVirtualizationContext context) => _host = context;

    public IcrWriteOutcome WriteIcr(int sender, Icr icr) => IcrWriteOutcome.Trap(icr);

    public long HandleExit(int sender, in IcrWriteOutcome exit)
    {
        EmulateIcrWrite(_host.Machine, sender, new Icr(exit.ExitInfo1), this);
        return _host.Machine.Costs.IpiEmulationNs;
    }

    public bool DeliverInterrupt(int target, byte vector)
    {
        bool fresh = _host.Targets.SetIrr(target, vector);
        if (_host.Machine.StateOf(target) == VcpuState.InGuest)
        {
            _host.Targets.Kick(target);
        }
        else
        {
            _host.Targets.WakeUp(target);
        }

        return fresh;
    }

    /// <summary>
    /// kvm_apic_send_ipi: deliver the ICR's vector to every vCPU of the sender's VM that matches its destination,
    /// through <paramref name="delivery"/> (so an accelerating plugin completes delivery its own way).
    /// </summary>
    public static int EmulateIcrWrite(IMachineView machine, int sender, Icr icr, IInterruptDelivery delivery)
    {
        ArgumentNullException.ThrowIfNull(machine);
        ArgumentNullException.ThrowIfNull(delivery);
        ref readonly VcpuInfo s = ref machine.Vcpu(sender);
        var vm = machine.Vms[s.Vm];
        int delivered = 0;
        for (int i = 0; i < vm.VcpuCount; i++)
        {
            int target = vm.VcpuId(i);
            if (ApicDestination.Matches(in machine.Vcpu(target), icr, s.ApicId))
            {
                delivery.DeliverInterrupt(target, icr.Vector);
                delivered++;
                if (icr.DeliveryMode == DeliveryMode.LowestPriority)
                {
                    break; // one target: the lowest-numbered match stands in for priority arbitration
                }
            }
        }

        return delivered;
    }
}
