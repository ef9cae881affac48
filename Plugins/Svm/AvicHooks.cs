using Emu.Core.Model;
using Emu.Core.Contracts;

namespace Emu.Plugins.Svm;

/// <summary>
/// avic_vcpu_load / put / blocking / unblocking as the seed patch runs them (kvm-avic.md §3.3, §4.2):
/// load sets the host id and IsRunning unless the vCPU is blocking and writes only if the entry changed;
/// put clears IsRunning (host id kept) and runs the nested put only in strict mode; blocking clears IsRunning
/// and runs the nested put in both modes; unblocking loads again.
/// </summary>
internal sealed class AvicHooks : IVcpuLifecycleHooks
{
    private readonly AvicContext _ctx;

    public AvicHooks(AvicContext ctx)
    {
        _ctx = ctx;
    }

    public void Load(int vcpu, int pcpu)
    {
        if (_ctx.Machine.IsBlocking(vcpu))
        {
            return; // consumed iff IsRunning is 1; the new pCPU is stuffed in when the vCPU unblocks
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
        AvicLoad(vcpu, _ctx.Machine.CpuOf(vcpu));
    }

    private void AvicLoad(int vcpu, int pcpu)
    {
        var entry = new PhysicalApicIdEntry(_ctx.Shadow[vcpu])
            .WithHostPhysicalApicId(_ctx.Machine.Topology.Cpus[pcpu].ApicId)
            .WithIsRunning(true)
            .WithGaLogIntr(false);
        _ctx.LastLoadCpu[vcpu] = pcpu;
        _ctx.WriteEntry(vcpu, entry); // written only if it changed: in non-strict mode it often already holds IsRunning = 1
        _ctx.IommuAffinityUpdates++; // avic_update_iommu_vcpu_affinity: IRTE destination = this pCPU, IsRun = 1
        _ctx.Nested?.NestedLoad(vcpu, pcpu);
    }

    private void AvicPut(int vcpu)
    {
        var entry = new PhysicalApicIdEntry(_ctx.Shadow[vcpu]);
        if (!entry.IsRunning)
        {
            return; // already put because blocking
        }

        _ctx.IommuAffinityUpdates++;
        _ctx.WriteEntry(vcpu, entry.WithIsRunning(false).WithGaLogIntr(_ctx.Machine.IsBlocking(vcpu)));
    }
}
