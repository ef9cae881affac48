using Emu.Core.Contracts;
using Emu.Core.Model;

namespace Emu.Plugins.Svm;

/// <summary>
/// DESIGN §3's invariants over the hardware-visible table, checked after every event in check mode:
/// a vCPU in guest mode has a Valid, running entry naming its pCPU (with IPI virtualization on); a blocked
/// vCPU is not running; in strict mode a vCPU that is not loaded is not running; in non-strict mode it may be,
/// but only naming the last pCPU it ran on.
/// </summary>
internal sealed class AvicInvariants
{
    private readonly AvicContext _ctx;

    public AvicInvariants(AvicContext ctx)
    {
        _ctx = ctx;
    }

    public void Register(IRunMonitor monitor) => monitor.AddInvariant(Check);

    private void Check()
    {
        var m = _ctx.Machine;
        bool ipiv = _ctx.Options.EnableIpiv;
        for (int v = 0; v < m.VcpuCount; v++)
        {
            var e = _ctx.HardwareEntry(v);
            VcpuState state = m.StateOf(v);
            int cpu = m.CpuOf(v);
            int cpuApic = cpu >= 0 ? m.Topology.Cpus[cpu].ApicId : -1;
            if (!e.IsValid)
            {
                Fail(v, "has an invalid physical entry (broadcasts would skip it)");
                return;
            }

            if (!ipiv && e.IsRunning)
            {
                Fail(v, "has IsRunning = 1 in the hardware table although IPI virtualization is off");
                return;
            }

            if (ipiv && state == VcpuState.InGuest && !_ctx.Inhibited[v] && (!e.IsRunning || e.HostPhysicalApicId != cpuApic))
            {
                Fail(v, $"is in guest mode on pCPU {cpu} (APIC 0x{cpuApic:X}) but its entry does not say running there");
                return;
            }

            if (_ctx.Inhibited[v] && e.IsRunning)
            {
                Fail(v, "has AVIC inhibited (it runs L2 without nested AVIC) but IsRunning = 1: peers' doorbells would reach L2");
                return;
            }

            if (state == VcpuState.Blocked && e.IsRunning)
            {
                Fail(v, "is blocked with IsRunning = 1: its wake-ups would be lost");
                return;
            }

            if (_ctx.Iommu is { } iommu && !CheckIrtes(iommu, v))
            {
                return;
            }

            if (!m.IsLoaded(v) && e.IsRunning)
            {
                if (_ctx.Options.AvicDoorbellStrict)
                {
                    Fail(v, "is not loaded but IsRunning = 1 in strict mode");
                    return;
                }

                // Non-strict: the put left the entry as the last load wrote it. A vCPU preempted in userspace may since
                // have resumed on another pCPU without a load (KVM_RUN has not been entered again): the entry still
                // names the pCPU of its last load, rightly.
                int loaded = _ctx.LastLoadCpu[v];
                int loadedApic = loaded >= 0 ? m.Topology.Cpus[loaded].ApicId : -1;
                if (e.HostPhysicalApicId != loadedApic)
                {
                    Fail(v, $"is not loaded with IsRunning = 1 naming APIC 0x{e.HostPhysicalApicId:X}, not the pCPU of its last load ({loaded})");
                    return;
                }
            }
        }
    }

    /// <summary>
    /// KVM updates the IRTEs with the entry under ir_list_lock: a guest-mode IRTE says IsRun exactly when KVM's shadow
    /// entry says IsRunning, naming the same pCPU; a blocking vCPU's IRTEs ask for GA-log interrupts (or its wake-ups would
    /// be lost); an inhibited vCPU's IRTEs are out of guest mode.
    /// </summary>
    private bool CheckIrtes(AmdIommu iommu, int v)
    {
        var shadow = new PhysicalApicIdEntry(_ctx.Shadow[v]);
        foreach (int i in iommu.IrtesOf(v))
        {
            var irte = iommu.Irtes[i];
            if (irte.GuestMode == _ctx.Inhibited[v])
            {
                Fail(v, $"has AVIC {(_ctx.Inhibited[v] ? "inhibited" : "active")} but {irte}");
                return false;
            }

            if (!irte.GuestMode)
            {
                continue;
            }

            if (irte.IsRun != shadow.IsRunning || (irte.IsRun && irte.Destination != shadow.HostPhysicalApicId))
            {
                Fail(v, $"has {irte} out of step with its entry");
                return false;
            }

            if (_ctx.Machine.IsBlocking(v) && (irte.IsRun || !irte.GaLogIntr))
            {
                Fail(v, $"is blocking with {irte}: a device interrupt would not wake it");
                return false;
            }
        }

        return true;
    }

    private void Fail(int vcpu, string what) => _ctx.Host.Monitor.ReportViolation($"vCPU {vcpu} {what}: {_ctx.Describe(vcpu)}");
}
