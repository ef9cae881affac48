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
        EmulateIcrWrite(_host, sender, new Icr(exit.ExitInfo1), this);
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
    /// kvm_apic_send_ipi: the ICR's interrupt to every vCPU of the sender's VM its destination names, by delivery
    /// mode as kvm_apic_accept_irq takes it: fixed (edge or level) through <paramref name="delivery"/> (so an
    /// accelerating plugin completes it its own way); lowest priority to one of them, chosen by vector hashing
    /// (kvm_vector_to_index, KVM's default); NMI, SMI, INIT and SIPI as signals (<see cref="IInterruptTargets.DeliverSignal"/>).
    /// Returns how many vCPUs it reached.
    /// </summary>
    public static int EmulateIcrWrite(IVirtualizationContext host, int sender, Icr icr, IInterruptDelivery delivery)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(delivery);
        var machine = host.Machine;
        ref readonly VcpuInfo s = ref machine.Vcpu(sender);
        var vm = machine.Vms[s.Vm];
        var mode = icr.DeliveryMode;
        int cpu = Math.Max(0, machine.CpuOf(sender)); // KVM runs this in the sender's exit, on its pCPU
        host.Monitor.TraceInstant(cpu, TraceKind.ApicIpi, sender, (long)icr.Value);
        if (mode == DeliveryMode.LowestPriority)
        {
            int matches = 0;
            for (int i = 0; i < vm.VcpuCount; i++)
            {
                matches += ApicDestination.Matches(in machine.Vcpu(vm.VcpuId(i)), icr, s.ApicId) ? 1 : 0;
            }

            if (matches == 0)
            {
                return 0;
            }

            int pick = icr.Vector % matches;
            for (int i = 0; i < vm.VcpuCount; i++)
            {
                int target = vm.VcpuId(i);
                if (ApicDestination.Matches(in machine.Vcpu(target), icr, s.ApicId) && pick-- == 0)
                {
                    host.Monitor.TraceInstant(cpu, TraceKind.ApicAcceptIrq, target, icr.Low);
                    delivery.DeliverInterrupt(target, icr.Vector);
                    break;
                }
            }

            return 1;
        }

        int delivered = 0;
        for (int i = 0; i < vm.VcpuCount; i++)
        {
            int target = vm.VcpuId(i);
            if (!ApicDestination.Matches(in machine.Vcpu(target), icr, s.ApicId))
            {
                continue;
            }

            delivered++;
            host.Monitor.TraceInstant(cpu, TraceKind.ApicAcceptIrq, target, icr.Low);
            if (mode == DeliveryMode.Fixed)
            {
                delivery.DeliverInterrupt(target, icr.Vector);
            }
            else
            {
                host.Targets.DeliverSignal(target, mode);
            }
        }

        return delivered;
    }
}
