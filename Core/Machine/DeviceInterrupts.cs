using Emu.Core.Contracts;
using Emu.Core.Engine;
using Emu.Core.Model;
using Emu.Core.Randomness;
using Emu.Core.Results;

namespace Emu.Core.Machine;

/// <summary>
/// Assigned devices raising MSIs (Vms:i:Devices): each from its own seeded stream, to its vCPUs in turn or to the vCPU
/// whose request it completes. A device interrupt is posted by the IOMMU plugin (<see cref="IPostedInterruptRemapping"/>)
/// when the device asks for it and the IRTE is in guest mode; otherwise the host takes it on a pCPU (vfio_msihandler,
/// the irqfd) and KVM injects it (kvm_apic_accept_irq through the interrupt virtualization: a doorbell if the target is
/// in guest mode, a kick or a wake-up otherwise). Counts every interrupt from its raise to the guest taking it.
/// </summary>
internal sealed class DeviceInterrupts : IEventHandler, IDeviceInterruptTargets
{
    private enum Kind
    {
        /// <summary>A device raises an interrupt (subject: device; argument: target vCPU + 1, or 0 for the next in turn).</summary>
        Raise,

        /// <summary>The host's handler ends and KVM injects (subject: device; argument: target vCPU).</summary>
        Inject,
        Count,
    }

    private readonly MachineState _m;
    private readonly int _kindBase;
    private readonly DeviceRuntime[] _devices;

    /// <summary>Per VM, the device that owns each vector (-1: none); null for a VM without devices.</summary>
    private readonly int[]?[] _deviceOfVector;
    private readonly DeviceCounters?[] _vmCounters;

    /// <summary>The pCPU that took the IOMMU's last GA-log interrupt (where avic_ga_log_notifier runs).</summary>
    private int _gaLogCpu;

    public DeviceInterrupts(MachineState m, IReadOnlyList<DeviceInfo> devices)
    {
        _m = m;
        _kindBase = m.RegisterKinds<Kind>(this, (int)Kind.Count);
        _devices = new DeviceRuntime[devices.Count];
        _deviceOfVector = new int[]?[m.Vms.Length];
        _vmCounters = new DeviceCounters?[m.Vms.Length];
        for (int i = 0; i < devices.Count; i++)
        {
            var info = devices[i];
            var vm = m.Vms[info.Vm];
            if (_deviceOfVector[info.Vm] is null)
            {
                _deviceOfVector[info.Vm] = new int[256];
                Array.Fill(_deviceOfVector[info.Vm]!, -1);
                _vmCounters[info.Vm] = new DeviceCounters();
            }

            _devices[i] = new DeviceRuntime(info, vm, m.Engine.AllocateTimer(), RandomStream.Derive(m.Seed, "device", i), _vmCounters[info.Vm]!, Totals);

            _deviceOfVector[info.Vm]![info.Vector] = i;
        }
    }

    /// <summary>Every device interrupt, all VMs.</summary>
    public DeviceCounters Totals { get; } = new();

    /// <summary>The IOMMU's posting, when a plugin provides it.</summary>
    public IPostedInterruptRemapping? Remapping { get; set; }

    public int Count => _devices.Length;

    private long Now => _m.Engine.Now;

    /// <summary>Starts every interval device: its first interrupt comes one gap after the start.</summary>
    public void Start()
    {
        foreach (var d in _devices)
        {
            if (d.Info.Trigger == DeviceTrigger.Interval)
            {
                _m.Engine.Arm(d.Timer, Now + NextGap(d), _kindBase + (int)Kind.Raise, d.Info.Id);
            }
        }
    }

    /// <summary>True if <paramref name="vector"/> is one of VM <paramref name="vm"/>'s device vectors (not an IPI).</summary>
    public bool IsDeviceVector(int vm, byte vector)
    {
        var map = _deviceOfVector[vm];
        return map is not null && map[vector] >= 0;
    }

    /// <summary>A vCPU made a request (a userspace exit): its devices that complete requests answer it later.</summary>
    public void OnUserspaceExit(VcpuRuntime v)
    {
        if (_deviceOfVector[v.Info.Vm] is null)
        {
            return;
        }

        foreach (var d in _devices)
        {
            if (d.Info.Trigger == DeviceTrigger.UserspaceExit && d.Info.Vm == v.Info.Vm && d.SlotOf[v.Info.IndexInVm] >= 0)
            {
                _m.Engine.Schedule(Now + NextGap(d), _kindBase + (int)Kind.Raise, d.Info.Id, v.Info.Id + 1);
            }
        }
    }

    void IEventHandler.Handle(in SimEvent e)
    {
        var d = _devices[e.Subject];
        if (e.Kind - _kindBase == (int)Kind.Inject)
        {
            // kvm_set_msi_irq -> kvm_apic_accept_irq: the interrupt virtualization notifies the target as its mode requires.
            long wakeups = _m.Counters.Wakeups;
            int injected = d.SlotOf[_m.Vcpus[e.Argument].Info.IndexInVm];
            d.Injecting[injected]--;
            InIrr(d, injected, Now - _m.Costs.HostInterruptNs); // raised one handler's time ago (the handler's cost is fixed)
            _m.Monitor.TraceInstant(HostCpu(d, _m.Vcpus[e.Argument]), TraceKind.ApicAcceptIrq, e.Argument, d.Info.Vector);
            _m.InterruptVirtualization.DeliverInterrupt(e.Argument, d.Info.Vector);
            if (_m.Counters.Wakeups > wakeups)
            {
                foreach (var c in d.Chain)
                {
                    c.Wakeups++;
                }
            }

            return;
        }

        int target;
        if (e.Argument > 0)
        {
            target = e.Argument - 1;
        }
        else
        {
            target = d.Info.Targets[d.NextTarget];
            d.NextTarget = (d.NextTarget + 1) % d.Info.Targets.Count;
            _m.Engine.Arm(d.Timer, Now + NextGap(d), _kindBase + (int)Kind.Raise, d.Info.Id);
        }

        Raise(d, target);
    }

    private void Raise(DeviceRuntime d, int target)
    {
        var v = _m.Vcpus[target];
        int slot = d.SlotOf[v.Info.IndexInVm];
        d.Pending[slot]++;

        foreach (var c in d.Chain)
        {
            c.Sent++;
        }
        _m.Monitor.TraceInstant(Math.Max(0, v.Cpu), TraceKind.DeviceInterrupt, target, ((long)d.Info.Id << 8) | d.Info.Vector);
        if (d.Info.Posted && Remapping is not null && Remapping.Post(d.Info.Id, target))
        {
            InIrr(d, slot, Now); // the IOMMU wrote the IRR as it posted
            foreach (var c in d.Chain)
            {
                c.Posted++;
            }
            return;
        }

        // Remapped: the host takes the MSI where its affinity says (by default where the target last ran), then injects.
        foreach (var c in d.Chain)
        {
            c.Remapped++;
        }
        int pcpu = HostCpu(d, v);
        _m.Accounting.HostInterrupt(pcpu, _m.Costs.HostInterruptNs);
        d.Injecting[slot]++;
        _m.Engine.Schedule(Now + _m.Costs.HostInterruptNs, _kindBase + (int)Kind.Inject, d.Info.Id, target);
    }

    /// <summary>Where the host takes a remapped MSI: the device's affinity, by default where the target last ran.</summary>
    private static int HostCpu(DeviceRuntime d, VcpuRuntime target) => d.Info.HostCpu >= 0 ? d.Info.HostCpu : Math.Max(0, target.Cpu);

    /// <summary>An interrupt of the slot reached the IRR; <paramref name="raised"/> is when the device raised it.</summary>
    private static void InIrr(DeviceRuntime d, int slot, long raised)
    {
        if (d.InIrr[slot]++ == 0)
        {
            d.Since[slot] = raised;
        }
    }

    /// <summary>
    /// The guest takes a device vector: every interrupt of that device in this vCPU's IRR is accepted (not those the
    /// host's handler has yet to inject).
    /// </summary>
    public void Accepted(VcpuRuntime v, byte vector)
    {
        var d = _devices[_deviceOfVector[v.Info.Vm]![vector]];
        int slot = d.SlotOf[v.Info.IndexInVm];
        if (slot < 0 || d.InIrr[slot] == 0)
        {
            return; // an IPI with a device's vector: nothing of the device's was in the IRR
        }

        long latency = Now - d.Since[slot];
        int taken = d.InIrr[slot];
        int carried = Math.Min(d.Carried[slot], taken); // raised before the warm-up ended: not counted (FIFO: the oldest first)
        d.InIrr[slot] = 0;
        d.Pending[slot] -= taken;
        d.Carried[slot] -= carried;
        int count = taken - carried;
        if (count <= 0)
        {
            return;
        }

        d.Counters.Accepted += count;
        d.Counters.RecordLatency(latency);
        var vm = _vmCounters[d.Info.Vm]!;
        vm.Accepted += count;
        vm.RecordLatency(latency);
        Totals.Accepted += count;
        Totals.RecordLatency(latency);
    }

    /// <summary>An INIT cleared the vCPU's IRR: what its devices had pending there is gone with it.</summary>
    public void Cleared(VcpuRuntime v)
    {
        if (_deviceOfVector[v.Info.Vm] is null)
        {
            return;
        }

        foreach (var d in _devices)
        {
            int slot = d.Info.Vm == v.Info.Vm ? d.SlotOf[v.Info.IndexInVm] : -1;
            if (slot >= 0)
            {
                // What was in the IRR is gone; what the host's handler still holds is injected after the INIT.
                int cleared = d.InIrr[slot];
                ClearedByInit += cleared;
                d.Pending[slot] -= cleared;
                d.Carried[slot] = Math.Max(0, d.Carried[slot] - cleared);
                d.InIrr[slot] = 0;
            }
        }
    }

    /// <summary>Device interrupts an INIT discarded with the IRR (so none is lost unaccounted).</summary>
    public long ClearedByInit { get; private set; }

    /// <summary>Interrupts raised since the warm-up and neither accepted nor discarded yet, all devices (or one device's).</summary>
    public long Pending(int device = -1)
    {
        long sum = 0;
        for (int i = 0; i < _devices.Length; i++)
        {
            if (device < 0 || device == i)
            {
                var d = _devices[i];
                for (int slot = 0; slot < d.Pending.Length; slot++)
                {
                    sum += d.Pending[slot] - d.Carried[slot];
                }
            }
        }

        return sum;
    }

    /// <summary>Pending interrupts of VM <paramref name="vm"/>'s devices.</summary>
    public long PendingOfVm(int vm)
    {
        long sum = 0;
        for (int i = 0; i < _devices.Length; i++)
        {
            if (_devices[i].Info.Vm == vm)
            {
                sum += Pending(i);
            }
        }

        return sum;
    }

    public DeviceCounters CountersOf(int device) => _devices[device].Counters;

    public DeviceCounters? CountersOfVm(int vm) => _vmCounters[vm];

    public void Reset()
    {
        Totals.Reset();
        foreach (var c in _vmCounters)
        {
            c?.Reset();
        }

        ClearedByInit = 0;
        foreach (var d in _devices)
        {
            d.Counters.Reset();
            Array.Copy(d.Pending, d.Carried, d.Pending.Length); // pending now: raised before the counts restart
        }
    }

    /// <summary>Invariant: an interrupt pending and not still in the host's handler is in its target's IRR.</summary>
    public void CheckInvariants()
    {
        foreach (var d in _devices)
        {
            for (int slot = 0; slot < d.Pending.Length; slot++)
            {
                if (d.InIrr[slot] > 0 && !_m.Vcpus[d.Info.Targets[slot]].Irr.IsSet(d.Info.Vector))
                {
                    _m.Monitor.ReportViolation($"device '{d.Info.Name}' has {d.Pending[slot]} interrupt(s) pending for vCPU {d.Info.Targets[slot]} whose IRR lacks vector 0x{d.Info.Vector:X2}");
                    return;
                }
            }
        }
    }

    public DoorbellLanding DoorbellArrived(int pcpu, int device, int vcpu, long hostModeNs)
    {
        var d = _devices[device];
        var landing = _m.Accounting.Land(pcpu, d.Info.Vm, vcpu, hostModeNs, out bool foreign);
        foreach (var c in d.Chain)
        {
            c.Doorbells++;
            switch (landing)
            {
                case DoorbellLanding.InGuest: c.ToRunningTarget++; break;
                case DoorbellLanding.TargetInHost: c.ToTargetInHost++; break;
                default: c.Spurious++; break;
            }
        }

        if (foreign)
        {
            foreach (var c in d.Chain)
            {
                c.SpuriousOnForeignTask++;
            }
            _m.Counters.StolenNsOnForeignTasks += hostModeNs;
        }

        return landing;
    }

    public void GaLogEntry(int device, int vcpu)
    {
        foreach (var c in _devices[device].Chain)
        {
            c.GaLogEntries++;
        }
        var v = _m.Vcpus[vcpu];
        v.GaLogWakeups++;
        _m.Monitor.Wakeups.Stir(v);
    }

    public void GaLogInterrupt(int pcpu, long hostModeNs)
    {
        Totals.GaLogInterrupts++;
        _gaLogCpu = pcpu;
        _m.Accounting.HostInterrupt(pcpu, hostModeNs);
    }

    public bool GaLogWakeUp(int device, int vcpu)
    {
        var v = _m.Vcpus[vcpu];
        if (v.GaLogWakeups > 0)
        {
            v.GaLogWakeups--;
        }

        _m.Monitor.TraceInstant(_gaLogCpu, TraceKind.AvicGaLog, vcpu, device); // its handler runs where the GA-log interrupt was taken

        bool woke = _m.Interrupts.WakeUp(vcpu);
        if (woke)
        {
            foreach (var c in _devices[device].Chain)
            {
                c.Wakeups++;
            }
        }

        return woke;
    }

    private long NextGap(DeviceRuntime d)
    {
        double jitter = d.Info.Jitter == 0 ? 1 : 1 + (d.Info.Jitter * ((2 * d.Random.NextDouble()) - 1));
        return Math.Max(1, (long)(d.Info.IntervalNs * jitter));
    }

    private sealed class DeviceRuntime
    {
        public DeviceRuntime(DeviceInfo info, VmInfo vm, int timer, RandomStream random, DeviceCounters vmCounters, DeviceCounters totals)
        {
            Info = info;
            Chain = new[] { Counters, vmCounters, totals };
            Timer = timer;
            Random = random;
            SlotOf = new int[vm.VcpuCount];
            Array.Fill(SlotOf, -1);
            for (int s = 0; s < info.Targets.Count; s++)
            {
                SlotOf[info.Targets[s] - vm.FirstVcpu] = s;
            }

            Pending = new int[info.Targets.Count];
            Injecting = new int[info.Targets.Count];
            Carried = new int[info.Targets.Count];
            InIrr = new int[info.Targets.Count];
            Since = new long[info.Targets.Count];
        }

        public DeviceInfo Info { get; }
        public int Timer { get; }
        public RandomStream Random { get; }

        /// <summary>The slot (index in Targets) of each vCPU of the VM, or -1.</summary>
        public int[] SlotOf { get; }

        /// <summary>Per slot: interrupts raised and not yet taken, and when the first of them was raised.</summary>
        public int[] Pending { get; }

        /// <summary>Per slot: of <see cref="Pending"/>, those in the target's IRR (the rest are in the host's handler); <see cref="Since"/> is the first's raise.</summary>
        public int[] InIrr { get; }

        /// <summary>Per slot: of <see cref="Pending"/>, those raised before the warm-up ended (not counted when taken).</summary>
        public int[] Carried { get; }

        /// <summary>Per slot: remapped interrupts whose host handler has not injected them yet.</summary>
        public int[] Injecting { get; }
        public long[] Since { get; }
        public int NextTarget;
        public DeviceCounters Counters { get; } = new();

        /// <summary>The device's, its VM's and the run's counters: each count goes to all three.</summary>
        public DeviceCounters[] Chain { get; }
    }
}
