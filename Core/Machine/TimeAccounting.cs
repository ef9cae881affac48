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

    public void Handle(in SimEvent e)
    {
        Settle();
        _m.Counters.Reset();
        foreach (var section in _m.ResultSections)
        {
            section.Reset();
        }

        foreach (var t in _m.Tasks)
        {
            t.OnCpuNs = t.StolenNs = t.RunQueueWaitNs = t.MaxRunQueueWaitNs = t.ContextSwitches = t.Migrations = 0;
        }
    }

    public void SetMode(CpuRuntime cpu, CpuMode mode)
    {
        long elapsed = Now - cpu.ModeSince;
        var c = _m.Counters.Pcpus[cpu.Id];
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
        long elapsed = Now - v.StateSince;
        var c = _m.Counters.Vcpus[v.Info.Id];
        switch (v.State)
        {
            case VcpuState.InGuest: c.GuestNs += elapsed; break;
            case VcpuState.InHostKernel: c.HostNs += elapsed; break;
            case VcpuState.InUserspace: c.UserspaceNs += elapsed; break;
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
    /// A doorbell that found no running target: counts it as spurious (and as on a foreign task when what runs
    /// there is not a vCPU of <paramref name="senderVm"/>) and charges <paramref name="ns"/> to that task.
    /// </summary>
    public void ChargeSpuriousDoorbell(int pcpu, int senderVm, int target, long ns)
    {
        var counters = _m.Counters;
        counters.Pcpus[pcpu].DoorbellsReceived++;
        counters.DoorbellsSpurious++;
        counters.Pcpus[pcpu].SpuriousDoorbells++;
        _m.Monitor.TraceInstant(pcpu, TraceKind.SpuriousDoorbell, target, 0);
        int task = _m.Cpus[pcpu].Current;
        if (task < 0)
        {
            return; // an idle pCPU: nobody's time is taken
        }

        int victim = _m.Tasks[task].Vcpu;
        if (victim < 0 || _m.Vcpus[victim].Info.Vm != senderVm)
        {
            counters.DoorbellsSpuriousOnForeignTask++;
            counters.StolenNsOnForeignTasks += ns;
        }

        StealTime(pcpu, ns);
    }

    /// <summary>Charges <paramref name="ns"/> of the pCPU's time to whatever task runs there, at its next phase end.</summary>
    public void StealTime(int pcpu, long ns)
    {
        if (ns <= 0)
        {
            return;
        }

        var cpu = _m.Cpus[pcpu];
        if (cpu.Current < 0)
        {
            return; // an idle or switching pCPU absorbs it
        }

        cpu.Debt += ns;
    }

    /// <summary>Takes the pCPU's stolen time and charges it to the task that was running there.</summary>
    public long TakeDebt(CpuRuntime cpu, int task)
    {
        long debt = cpu.Debt;
        if (debt == 0)
        {
            return 0;
        }

        cpu.Debt = 0;
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
