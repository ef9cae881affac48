using Emu.Core.Contracts;
using Emu.Core.Engine;
using Emu.Core.Model;

namespace Emu.Core.Machine;

/// <summary>
/// Where time goes: per-pCPU modes, per-vCPU states, per-task time on the CPU, time stolen by unblockable
/// doorbells, and the end of the warm-up (when every count restarts).
/// </summary>
internal sealed class TimeAccounting : IEventHandler
{
    private readonly MachineState _m;
    private readonly int _warmupEndKind;

    public TimeAccounting(MachineState m)
    {
        _m = m;
        _warmupEndKind = m.Engine.RegisterKind("WarmupEnd", this);
    }

    private long Now => _m.Engine.Now;

    /// <summary>Counts restart at <paramref name="warmupNs"/> (none when 0).</summary>
    public void Start(long warmupNs)
    {
        if (warmupNs > 0)
        {
            _m.Engine.Schedule(warmupNs, _warmupEndKind, 0);
        }
    }

    void IEventHandler.Handle(in SimEvent e)
    {
        Settle();
        _m.Sampler?.OnReset(); // before the counts restart: it carries what the current interval has counted so far
        _m.Counters.Reset();
        _m.Devices.Reset();
        foreach (var section in _m.ResultSections)
        {
            section.Reset();
        }

        foreach (var v in _m.Vcpus)
        {
            v.ExitSince = -1; // an exit under way was counted before the restart: its time is not the measured span's
        }

        foreach (var t in _m.Tasks)
        {
            t.OnCpuNs = t.StolenNs = t.RunQueueWaitNs = t.MaxRunQueueWaitNs = t.ContextSwitches = t.Migrations = 0;
        }
    }

    public void SetMode(CpuRuntime cpu, CpuMode mode)
    {
        long elapsed = Now - cpu.ModeSince;
        var c = cpu.Counters;
        switch (cpu.Mode)
        {
            case CpuMode.Idle: c.IdleNs += elapsed; break;
            case CpuMode.Guest: c.GuestNs += elapsed; break;
            case CpuMode.Host: c.HostNs += elapsed; break;
            default: c.HostTaskNs += elapsed; break;
        }

        cpu.Mode = mode;
        cpu.ModeSince = Now;
    }

    public void SetVcpuState(VcpuRuntime v, VcpuState state)
    {
        AccountVcpu(v, state);
        var sinks = _m.TraceSinks;
        for (int i = 0; i < sinks.Length; i++)
        {
            sinks[i].VcpuStateChanged(Now, v.Cpu, v.Info.Id, state);
        }
    }

    private void AccountVcpu(VcpuRuntime v, VcpuState next)
    {
        // An exit lasts from leaving guest mode to the next VMRUN (perf kvm stat's exit time).
        if (v.State == VcpuState.InGuest && next != VcpuState.InGuest)
        {
            v.ExitSince = Now;
        }
        else if (next == VcpuState.InGuest && v.State != VcpuState.InGuest && v.ExitSince >= 0)
        {
            _m.Counters.RecordExit(v.ExitReason, Now - v.ExitSince);
            v.ExitSince = -1;
            v.ExitReason = ExitReason.Other;
        }

        long elapsed = Now - v.StateSince;
        var c = v.Counters;
        switch (v.State)
        {
            case VcpuState.InGuest: c.GuestNs += elapsed; break;
            case VcpuState.InHostKernel: c.HostNs += elapsed; break;
            case VcpuState.InUserspace: c.UserspaceNs += elapsed; break;
        }

        if (v.State == VcpuState.Blocked && next != VcpuState.Blocked)
        {
            _m.Monitor.Wakeups.Stir(v);
        }

        v.State = next;
        v.StateSince = Now;
    }

    public void AccountOnCpu(TaskRuntime t)
    {
        t.OnCpuNs += Now - t.OnCpuSince;
        t.OnCpuSince = Now;
    }

    /// <summary>Brings every time account up to now (before results are read).</summary>
    public void Settle()
    {
        foreach (var cpu in _m.Cpus)
        {
            SetMode(cpu, cpu.Mode);
        }

        foreach (var v in _m.Vcpus)
        {
            AccountVcpu(v, v.State);
        }

        foreach (var cpu in _m.Cpus)
        {
            if (cpu.Current >= 0)
            {
                AccountOnCpu(_m.Tasks[cpu.Current]);
            }
        }
    }

    /// <summary>
    /// A doorbell reaches <paramref name="pcpu"/> for vCPU <paramref name="vcpu"/>'s thread. In guest mode on the
    /// target it costs nothing; anywhere else the pCPU takes the interrupt in host mode for <paramref name="ns"/>:
    /// what runs there finishes its work that much later, unless the previous doorbell there is still being
    /// handled (then this one is coalesced with it: counted, not charged), so the cost saturates under a flood.
    /// </summary>
    public DoorbellLanding DoorbellArrived(int pcpu, int senderVm, int vcpu, long ns)
    {
        var counters = _m.Counters;
        var landing = Land(pcpu, senderVm, vcpu, ns, out bool foreign);
        switch (landing)
        {
            case DoorbellLanding.InGuest: counters.DoorbellsToRunningTarget++; break;
            case DoorbellLanding.TargetInHost: counters.DoorbellsToTargetInHost++; break;
            default: counters.DoorbellsSpurious++; break;
        }

        if (foreign)
        {
            counters.DoorbellsSpuriousOnForeignTask++;
            counters.StolenNsOnForeignTasks += ns;
        }

        return landing;
    }

    /// <summary>
    /// Where a doorbell for <paramref name="vcpu"/> on behalf of VM <paramref name="senderVm"/> landed at
    /// <paramref name="pcpu"/> and what it cost there (the rules of <see cref="DoorbellArrived"/>, for a CPU's or the
    /// IOMMU's doorbell alike); <paramref name="foreign"/> when it was charged to a task that is not a vCPU of that VM.
    /// </summary>
    public DoorbellLanding Land(int pcpu, int senderVm, int vcpu, long ns, out bool foreign)
    {
        foreign = false;
        var counters = _m.Counters;
        var cpu = _m.Cpus[pcpu];
        cpu.Counters.DoorbellsReceived++;
        int task = cpu.Current;
        int running = task < 0 ? -1 : _m.Tasks[task].Vcpu;
        if (running == vcpu && _m.Vcpus[vcpu].State == VcpuState.InGuest)
        {
            _m.Monitor.TraceInstant(pcpu, TraceKind.Doorbell, vcpu, 0);
            return DoorbellLanding.InGuest;
        }

        var landing = running == vcpu ? DoorbellLanding.TargetInHost : DoorbellLanding.Elsewhere;
        if (landing == DoorbellLanding.Elsewhere)
        {
            cpu.Counters.SpuriousDoorbells++;
        }

        _m.Monitor.TraceInstant(pcpu, landing == DoorbellLanding.TargetInHost ? TraceKind.DoorbellInHost : TraceKind.SpuriousDoorbell, vcpu, 0);

        // One arriving in the very nanosecond the previous handler ends races with its EOI: coalesced too.
        if (Now <= cpu.DoorbellBusyUntil && cpu.DoorbellBusyUntil > 0)
        {
            counters.DoorbellsCoalesced++;
            return landing;
        }

        cpu.DoorbellBusyUntil = Now + ns;
        if (task < 0 || ns <= 0)
        {
            return landing; // an idle or switching pCPU: nobody's work is delayed
        }

        foreign = landing == DoorbellLanding.Elsewhere && (running < 0 || _m.Vcpus[running].Info.Vm != senderVm);
        cpu.Debt += ns;
        return landing;
    }

    /// <summary>
    /// A host interrupt (a device's MSI remapped to the host, the IOMMU's GA-log interrupt) taken on <paramref name="pcpu"/>,
    /// its handler running <paramref name="ns"/>: a vCPU in guest mode there exits for it (external interrupt) and
    /// handles it in its exit; any other task finishes that much later; an idle pCPU just runs it.
    /// </summary>
    public void HostInterrupt(int pcpu, long ns)
    {
        var cpu = _m.Cpus[pcpu];
        int task = cpu.Current;
        if (task < 0)
        {
            return;
        }

        int vcpu = _m.Tasks[task].Vcpu;
        if (vcpu >= 0 && _m.Vcpus[vcpu].State == VcpuState.InGuest)
        {
            _m.Counters.ExitsExternalInterrupt++;
            _m.Vcpus[vcpu].ExitReason = ExitReason.Intr;
            _m.RunLoop.BeginExit(_m.Vcpus[vcpu], TraceKind.VmExit, _m.Costs.VmExitNs + ns);
            return;
        }

        if (ns > 0)
        {
            cpu.Debt += ns;
        }
    }

    /// <summary>
    /// Charges the pCPU's stolen time to the task running there: at a phase end all of it (the phase ends that much
    /// later); when the task leaves the pCPU only what has elapsed of the doorbell still being handled (the rest
    /// overlaps the switch), so a task never loses more than it ran.
    /// </summary>
    public long TakeDebt(CpuRuntime cpu, int task, bool leaving = false)
    {
        long debt = cpu.Debt;
        if (debt == 0)
        {
            return 0;
        }

        cpu.Debt = 0;
        if (leaving && cpu.DoorbellBusyUntil > Now)
        {
            debt = Math.Max(0, debt - (cpu.DoorbellBusyUntil - Now));
            cpu.DoorbellBusyUntil = Now;
        }

        _m.Counters.StolenNs += debt;
        var t = _m.Tasks[task];
        t.StolenNs += debt;
        if (t.Vcpu >= 0)
        {
            _m.Counters.Vcpus[t.Vcpu].StolenNs += debt;
        }

        return debt;
    }
}
