using Emu.Core.Contracts;
using Emu.Core.Engine;
using Emu.Core.Model;

namespace Emu.Plugins.Svm;

/// <summary>
/// The AVIC doorbell (MSR 0xC001011B): a signal to a host physical APIC ID. On arrival the pCPU takes the
/// interrupt in guest mode if it runs the target there; a target loaded there in host mode picks it up at
/// its next VMRUN; anything else is spurious: it cannot be blocked and steals time from whatever runs there.
/// </summary>
internal sealed class Doorbell : IEventHandler
{
    private readonly AvicContext _ctx;
    private int _kind = -1;

    public Doorbell(AvicContext ctx)
    {
        _ctx = ctx;
    }

    public void Initialize(IMachine machine) => _kind = machine.Engine.RegisterKind("AvicDoorbell", this);

    /// <summary>Rings the doorbell of <paramref name="hostApicId"/> for <paramref name="target"/>, sent on behalf of VM <paramref name="senderVm"/>.</summary>
    public void Ring(int hostApicId, int target, int senderVm)
    {
        var machine = _ctx.Machine;
        machine.Counters.DoorbellsSent++;
        int pcpu = (uint)hostApicId < (uint)_ctx.PcpuByApicId.Length ? _ctx.PcpuByApicId[hostApicId] : -1;
        if (pcpu < 0)
        {
            return; // no such APIC: the message goes nowhere
        }

        if (_ctx.Costs.DoorbellNs == 0)
        {
            Arrive(pcpu, target, senderVm);
        }
        else
        {
            machine.Engine.Schedule(machine.Now + _ctx.Costs.DoorbellNs, _kind, pcpu, target);
        }
    }

    // The sender is a vCPU of the target's VM: doorbells never cross VMs.
    public void Handle(in SimEvent e) => Arrive(e.Subject, e.Argument, _ctx.Machine.Vcpu(e.Argument).Vm);

    private void Arrive(int pcpu, int target, int senderVm)
    {
        var machine = _ctx.Machine;
        var c = machine.Counters;
        c.Pcpus[pcpu].DoorbellsReceived++;
        if (machine.VcpuOnCpu(pcpu) == target && machine.IsLoaded(target))
        {
            c.DoorbellsToRunningTarget++;
            machine.TraceInstant(pcpu, TraceKind.Doorbell, target, 0);
            if (machine.StateOf(target) == VcpuState.InGuest)
            {
                machine.AcceptInGuest(target);
            }

            return; // in host mode the IRR is evaluated at the next VMRUN (and halt-polling already saw it)
        }

        machine.ChargeSpuriousDoorbell(pcpu, senderVm, target, _ctx.Costs.SpuriousDoorbellNs);
    }
}
