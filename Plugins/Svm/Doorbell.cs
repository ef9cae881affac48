using Emu.Core.Contracts;
using Emu.Core.Engine;
using Emu.Core.Model;

namespace Emu.Plugins.Svm;

/// <summary>
/// The AVIC doorbell (MSR 0xC001011B): a signal to a host physical APIC ID, arriving Costs:DoorbellNs later. On
/// arrival a pCPU in guest mode on the target takes the interrupt without an exit; in host mode the doorbell
/// interrupts whatever runs there for Costs:SpuriousDoorbellNs (it cannot be blocked), whether that is the target's
/// own thread (which picks the IRR up at its next VMRUN), another vCPU or a host task; Core counts where it
/// landed and charges the time. A nested (L2) target arrives the same way at its L1 vCPU's pCPU, and the nested
/// layer decides whether the L2 vCPU running there takes it. Core's <see cref="IDoorbell"/>.
/// </summary>
internal sealed class Doorbell : IDoorbell, IEventHandler
{
    private readonly AvicContext _ctx;
    private IEventScheduling _events = null!;
    private int _kind = -1;
    private int _nestedKind = -1;

    public Doorbell(AvicContext ctx)
    {
        _ctx = ctx;
    }

    public void Initialize(IEventScheduling events)
    {
        _events = events;
        _kind = events.RegisterKind("AvicDoorbell", this);
        _nestedKind = events.RegisterKind("AvicDoorbellNested", this);
    }

    public void Ring(int hostApicId, int target, int senderVm) => Send(hostApicId, target, senderVm, nested: false);

    public void RingNested(int hostApicId, int target, int senderVm) => Send(hostApicId, target, senderVm, nested: true);

    private void Send(int hostApicId, int target, int senderVm, bool nested)
    {
        _ctx.Targets.CountDoorbellSent();
        int pcpu = _ctx.PcpuOfApic(hostApicId);
        if (pcpu < 0)
        {
            return; // no such APIC: the message goes nowhere
        }

        if (_ctx.Costs.DoorbellNs == 0)
        {
            Arrive(pcpu, target, senderVm, nested);
        }
        else
        {
            _events.Schedule(_events.Now + _ctx.Costs.DoorbellNs, nested ? _nestedKind : _kind, pcpu, target);
        }
    }

    // The sender is a vCPU of the target's VM (of the host vCPU's VM for an L2 target): doorbells never cross VMs.
    void IEventHandler.Handle(in SimEvent e)
    {
        bool nested = e.Kind == _nestedKind;
        Arrive(e.Subject, e.Argument, senderVm: -1, nested);
    }

    /// <param name="senderVm">The sender's VM, or -1 for the host vCPU's own (doorbells never cross VMs).</param>
    private void Arrive(int pcpu, int target, int senderVm, bool nested)
    {
        int host = nested ? _ctx.Nested!.HostVcpuOf(target) : target;
        if (senderVm < 0)
        {
            senderVm = _ctx.Machine.Vcpu(host).Vm;
        }

        var landing = _ctx.Targets.DoorbellArrived(pcpu, senderVm, host, _ctx.Costs.SpuriousDoorbellNs);
        if (nested)
        {
            // In guest mode the pCPU evaluates the vIRR of whatever guest runs there: the L2 target takes it if it is the one.
            _ctx.Nested!.DoorbellArrived(target, landing);
        }
        else if (landing == DoorbellLanding.InGuest)
        {
            _ctx.Targets.AcceptInGuest(target);
        }

        // Otherwise the IRR is evaluated at the target's next VMRUN (halt-polling already saw it).
    }
}
