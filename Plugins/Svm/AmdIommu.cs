using Emu.Core.Configuration;
using Emu.Core.Contracts;
using Emu.Core.Engine;

namespace Emu.Plugins.Svm;

/// <summary>
/// The AMD IOMMU's guest virtual APIC mode for assigned devices (kvm-avic.md §1.7, §3.4): one guest-mode IRTE per
/// (posted device, target vCPU), which KVM keeps in step with the vCPU's AVIC entry (avic_update_iommu_vcpu_affinity
/// over the vCPU's ir_list), and the IOMMU's posting: set the vector in the backing page's IRR, then with IsRun = 1 a
/// doorbell to the destination (the same arrival rules and costs as a CPU's doorbell), with IsRun = 0 and GALogIntr = 1
/// a GA-log entry and the GA-log interrupt, whose handler (iommu_poll_ga_log, avic_ga_log_notifier) wakes each vCPU it
/// names (kvm_vcpu_wake_up). With IsRun = 0 and GALogIntr = 0 the IOMMU only writes the IRR: the vCPU takes it at its
/// next VMRUN (per the IOMMU spec and Suravee's efe6f241602c, GALogIntr is what asks for a GA-log entry).
/// </summary>
internal sealed class AmdIommu : IPostedInterruptRemapping, IEventHandler
{
    private readonly AvicContext _ctx;
    private IDeviceInterruptTargets _devices = null!;
    private IEventScheduling _events = null!;
    private int _doorbellKind = -1;
    private int _gaLogKind = -1;

    /// <summary>Each device's IRTE index by the vCPU's index in its VM (-1: not a target, or a device not posted).</summary>
    private int[][] _irteOf = Array.Empty<int[]>();

    /// <summary>Per IRTE, its device and target vCPU.</summary>
    private int[] _deviceOfIrte = Array.Empty<int>();
    private int[] _vcpuOfIrte = Array.Empty<int>();

    /// <summary>KVM's ir_list: the IRTEs of each vCPU.</summary>
    private int[][] _irList = Array.Empty<int[]>();

    /// <summary>The GA log: IRTE indices whose interrupts the notifier has not handled yet.</summary>
    private readonly Queue<int> _gaLog = new();
    private bool _gaLogInterruptPending;

    public AmdIommu(AvicContext ctx)
    {
        _ctx = ctx;
    }

    /// <summary>The IRTEs, by index (a device's targets in order, devices in order).</summary>
    public IrteGa[] Irtes { get; private set; } = Array.Empty<IrteGa>();

    /// <summary>Builds the IRTEs of every posted device (amd_ir_set_vcpu_affinity with guest mode, avic_pi_update_irte).</summary>
    public void Initialize(IVirtualizationContext host)
    {
        _devices = host.Devices;
        _events = host.Events;
        _doorbellKind = _events.RegisterKind("IommuDoorbell", this);
        _gaLogKind = _events.RegisterKind("IommuGaLogInterrupt", this);
        var machine = host.Machine;
        if (_ctx.Options.IommuInterruptCpu >= machine.Topology.Count)
        {
            throw new EmuConfigurationException($"Svm:IommuInterruptCpu: pCPU {_ctx.Options.IommuInterruptCpu} does not exist (the topology has pCPUs 0..{machine.Topology.Count - 1})");
        }

        var irtes = new List<IrteGa>();
        var devices = new List<int>();
        var vcpus = new List<int>();
        var lists = new List<int>[machine.VcpuCount];
        _irteOf = new int[machine.Devices.Count][];
        foreach (var d in machine.Devices)
        {
            var vm = machine.Vms[d.Vm];
            var of = new int[vm.VcpuCount];
            Array.Fill(of, -1);
            _irteOf[d.Id] = of;
            if (!d.Posted)
            {
                continue; // amd_ir_set_vcpu_affinity is not asked for guest mode: legacy remapping to the host
            }

            foreach (int v in d.Targets)
            {
                of[v - vm.FirstVcpu] = irtes.Count;
                (lists[v] ??= new List<int>()).Add(irtes.Count);
                var shadow = new Emu.Core.Model.PhysicalApicIdEntry(_ctx.Shadow[v]);
                var irte = IrteGa.Activate(GaTag(d.Vm, v - vm.FirstVcpu), d.Vector, _ctx.Pages[v].Address, SeedGaLogIntr || shadow.GaLogIntr);
                if (shadow.IsRunning)
                {
                    irte.SetRunning(shadow.HostPhysicalApicId);
                }

                if (_ctx.Inhibited[v])
                {
                    irte.Deactivate();
                }

                irtes.Add(irte);
                devices.Add(d.Id);
                vcpus.Add(v);
            }
        }

        Irtes = irtes.ToArray();
        _deviceOfIrte = devices.ToArray();
        _vcpuOfIrte = vcpus.ToArray();
        _irList = lists.Select(l => l?.ToArray() ?? Array.Empty<int>()).ToArray();
    }

    /// <summary>The 2022 tree never changes GALogIntr: amd_iommu_activate_guest_mode set it, __amd_iommu_update_ga leaves it.</summary>
    private bool SeedGaLogIntr => _ctx.Kvm.Profile == KvmProfile.Seed2022;

    /// <summary>
    /// The GA tag of a vCPU's IRTEs, as avic_ga_log_notifier decodes it: today AVIC_GATAG(vm_id, vcpu_idx) with the
    /// index in the low 12 bits; the 2022 tree (vm_id &amp; 0xFFFFFF) &lt;&lt; 8 | (vcpu_id &amp; 0xFF). vm_id is 1-based.
    /// </summary>
    public uint GaTag(int vm, int indexInVm) => _ctx.Kvm.Profile == KvmProfile.Seed2022
        ? (uint)((((vm + 1) & 0xFF_FFFF) << 8) | (indexInVm & 0xFF))
        : (uint)(((vm + 1) << 12) | (indexInVm & 0xFFF));

    /// <summary>The IRTEs of a vCPU (its ir_list).</summary>
    public ReadOnlySpan<int> IrtesOf(int vcpu) => _irList[vcpu];

    /// <summary>
    /// avic_update_iommu_vcpu_affinity: with a destination (load) every IRTE of the vCPU says running there with
    /// GALogIntr = 0; without one (put, blocking) IsRun = 0 and GALogIntr as the caller says (the 2022 tree keeps 1).
    /// </summary>
    public void UpdateAffinity(int vcpu, int destination, bool gaLogIntr)
    {
        foreach (int i in _irList[vcpu])
        {
            ref var irte = ref Irtes[i];
            if (!irte.GuestMode)
            {
                continue;
            }

            if (destination >= 0)
            {
                irte.SetRunning(destination);
                irte.SetGaLogIntr(SeedGaLogIntr);
            }
            else
            {
                irte.ClearRunning();
                irte.SetGaLogIntr(SeedGaLogIntr || gaLogIntr);
            }
        }
    }

    /// <summary>
    /// avic_refresh_apicv_exec_ctrl's toggle: deactivating AVIC for the vCPU takes its IRTEs out of guest mode (the host
    /// takes their interrupts and KVM injects them); activating puts them back, not running until the next load.
    /// </summary>
    public void SetGuestMode(int vcpu, bool on)
    {
        foreach (int i in _irList[vcpu])
        {
            ref var irte = ref Irtes[i];
            if (on && !irte.GuestMode)
            {
                irte = IrteGa.Activate(irte.GaTag, irte.Vector, irte.GaRootPtr, SeedGaLogIntr);
            }
            else if (!on)
            {
                irte.Deactivate();
            }
        }
    }

    public bool Post(int device, int target)
    {
        int index = _irteOf[device][_ctx.Machine.Vcpu(target).IndexInVm];
        if (index < 0 || !Irtes[index].GuestMode)
        {
            return false;
        }

        var irte = Irtes[index];
        _ctx.Targets.SetIrr(target, irte.Vector); // the IOMMU writes the IRR of the page at GARootPtr
        if (irte.IsRun)
        {
            int pcpu = _ctx.PcpuOfApic(irte.Destination);
            if (pcpu < 0)
            {
                return true; // no such APIC: the doorbell goes nowhere, the IRR waits for the next VMRUN
            }

            if (_ctx.Costs.DoorbellNs == 0)
            {
                DoorbellArrives(pcpu, index);
            }
            else
            {
                _events.Schedule(_events.Now + _ctx.Costs.DoorbellNs, _doorbellKind, pcpu, index);
            }
        }
        else if (irte.GaLogIntr)
        {
            _devices.GaLogEntry(device, target);
            _gaLog.Enqueue(index);
            if (!_gaLogInterruptPending)
            {
                // The IOMMU raises its interrupt for the first entry; the handler drains every entry logged by then.
                _gaLogInterruptPending = true;
                _devices.GaLogInterrupt(_ctx.Options.IommuInterruptCpu, _ctx.Costs.GaLogInterruptNs);
                _events.Schedule(_events.Now + _ctx.Costs.GaLogInterruptNs, _gaLogKind, _ctx.Options.IommuInterruptCpu);
            }
        }

        return true;
    }

    void IEventHandler.Handle(in SimEvent e)
    {
        if (e.Kind == _doorbellKind)
        {
            DoorbellArrives(e.Subject, e.Argument);
            return;
        }

        // iommu_poll_ga_log: each entry's GA tag names a vCPU; avic_ga_log_notifier wakes it (the IRR is already set).
        _gaLogInterruptPending = false;
        while (_gaLog.TryDequeue(out int index))
        {
            _devices.GaLogWakeUp(_deviceOfIrte[index], _vcpuOfIrte[index]);
        }
    }

    private void DoorbellArrives(int pcpu, int index)
    {
        int vcpu = _vcpuOfIrte[index];
        if (_devices.DoorbellArrived(pcpu, _deviceOfIrte[index], vcpu, _ctx.Costs.SpuriousDoorbellNs) == DoorbellLanding.InGuest)
        {
            _ctx.Targets.AcceptInGuest(vcpu);
        }
    }
}
