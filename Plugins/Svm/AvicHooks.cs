using Emu.Core.Model;
using Emu.Core.Contracts;

namespace Emu.Plugins.Svm;

/// <summary>
/// avic_vcpu_load / put / blocking / unblocking as the seed patch runs them (kvm-avic.md §3.3, §4.2):
/// load sets the host id and IsRunning unless the vCPU is blocking and writes only if the entry changed;
/// put clears IsRunning (host id kept) and runs the nested put only in strict mode; blocking clears IsRunning
/// and runs the nested put in both modes; unblocking loads again.
/// </summary>
internal sealed class AvicHooks : IVcpuLifecycleHooks, IAvicInhibit
{
    private readonly AvicContext _ctx;

    public AvicHooks(AvicContext ctx)
    {
        _ctx = ctx;
    }

    public void Load(int vcpu, int pcpu)
    {
        if (_ctx.Machine.IsBlocking(vcpu) || _ctx.Inhibited[vcpu])
        {
            return; // consumed iff IsRunning is 1; the new pCPU is stuffed in when the vCPU unblocks (or AVIC is re-activated)
        }

        AvicLoad(vcpu, pcpu);
    }

    public void Put(int vcpu)
    {
        if (!_ctx.Options.AvicDoorbellStrict)
        {
            return; // non-strict: peers keep ringing the last pCPU, and the nested put is skipped too
        }

        AvicPut(vcpu);
        _ctx.Nested?.NestedPut(vcpu);
    }

    public void Blocking(int vcpu)
    {
        // A halted vCPU must be woken by an exit: IsRunning = 0 in both modes, before KVM's final IRR check.
        AvicPut(vcpu);
        _ctx.Nested?.NestedPut(vcpu);
    }

    public void Unblocking(int vcpu)
    {
        if (!_ctx.Inhibited[vcpu])
        {
            AvicLoad(vcpu, _ctx.Machine.CpuOf(vcpu));
        }
    }

    /// <summary>
    /// avic_refresh_apicv_exec_ctrl: deactivating puts the entry (IsRunning = 0, in both strict modes); activating
    /// loads it again if the vCPU is loaded and not blocking.
    /// </summary>
    public void SetInhibited(int vcpu, bool inhibited)
    {
        if (_ctx.Inhibited[vcpu] == inhibited)
        {
            return;
        }

        _ctx.Inhibited[vcpu] = inhibited;
        var machine = _ctx.Machine;
        if (inhibited)
        {
            AvicPut(vcpu);
            _ctx.Iommu?.SetGuestMode(vcpu, false);
        }
        else
        {
            _ctx.Iommu?.SetGuestMode(vcpu, true);
            if (machine.IsLoaded(vcpu) && !machine.IsBlocking(vcpu))
            {
                AvicLoad(vcpu, machine.CpuOf(vcpu));
            }
        }
    }

    private void AvicLoad(int vcpu, int pcpu)
    {
        var entry = new PhysicalApicIdEntry(_ctx.Shadow[vcpu])
            .WithHostPhysicalApicId(_ctx.Machine.Topology.Cpus[pcpu].ApicId)
            .WithIsRunning(true)
            .WithGaLogIntr(false);
        _ctx.LastLoadCpu[vcpu] = pcpu;
        _ctx.WriteEntry(vcpu, entry); // written only if it changed: in non-strict mode it often already holds IsRunning = 1
        _ctx.IommuAffinityUpdates++; // avic_update_iommu_vcpu_affinity: IRTE destination = this pCPU, IsRun = 1, GALogIntr = 0
        _ctx.Iommu?.UpdateAffinity(vcpu, _ctx.Machine.Topology.Cpus[pcpu].ApicId, gaLogIntr: false);
        _ctx.Nested?.NestedLoad(vcpu, pcpu);
    }

    private void AvicPut(int vcpu)
    {
        var entry = new PhysicalApicIdEntry(_ctx.Shadow[vcpu]);
        if (!entry.IsRunning)
        {
            return; // already put because blocking
        }

        // IRTE IsRun = 0; GALogIntr only when blocking (current: AVIC_START_BLOCKING), or always (2022).
        bool blocking = _ctx.Machine.IsBlocking(vcpu);
        _ctx.IommuAffinityUpdates++;
        _ctx.Iommu?.UpdateAffinity(vcpu, -1, gaLogIntr: blocking);
        _ctx.WriteEntry(vcpu, entry.WithIsRunning(false).WithGaLogIntr(blocking));
    }
}
