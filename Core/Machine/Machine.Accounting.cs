using Emu.Core.Model;

namespace Emu.Core.Machine;

/// <summary>Where time goes: per-pCPU modes, per-vCPU states, and time stolen by unblockable doorbells.</summary>
internal sealed partial class Machine
{
    private void SetMode(CpuRuntime cpu, CpuMode mode)
    {
        long elapsed = Now - cpu.ModeSince;
        var c = Counters.Pcpus[cpu.Id];
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

    private void SetVcpuState(VcpuRuntime v, VcpuState state)
    {
        AccountVcpu(v, state);
        if (_traceSinks.Length > 0)
        {
            for (int i = 0; i < _traceSinks.Length; i++)
            {
                _traceSinks[i].VcpuStateChanged(Now, v.Cpu, v.Info.Id, state);
            }
        }
    }

    private void AccountVcpu(VcpuRuntime v, VcpuState next)
    {
        long elapsed = Now - v.StateSince;
        var c = Counters.Vcpus[v.Info.Id];
        switch (v.State)
        {
            case VcpuState.InGuest: c.GuestNs += elapsed; break;
            case VcpuState.InHostKernel: c.HostNs += elapsed; break;
            case VcpuState.InUserspace: c.UserspaceNs += elapsed; break;
        }

        v.State = next;
        v.StateSince = Now;
    }

    public void ChargeSpuriousDoorbell(int pcpu, int senderVm, int target, long ns)
    {
        Counters.DoorbellsSpurious++;
        Counters.Pcpus[pcpu].SpuriousDoorbells++;
        TraceInstant(pcpu, TraceKind.SpuriousDoorbell, target, 0);
        int task = TaskOnCpu(pcpu);
        if (task < 0)
        {
            return; // an idle pCPU: nobody's time is taken
        }

        int victim = VcpuOfTask(task);
        if (victim < 0 || Vcpu(victim).Vm != senderVm)
        {
            Counters.DoorbellsSpuriousOnForeignTask++;
            Counters.StolenNsOnForeignTasks += ns;
        }

        StealTime(pcpu, ns);
    }

    public void StealTime(int pcpu, long ns)
    {
        if (ns <= 0)
        {
            return;
        }

        var cpu = _cpus[pcpu];
        if (cpu.Current < 0)
        {
            return; // an idle or switching pCPU absorbs it
        }

        cpu.Debt += ns;
    }

    /// <summary>Takes the pCPU's stolen time and charges it to the task that was running there.</summary>
    private long TakeDebt(CpuRuntime cpu, int task)
    {
        long debt = cpu.Debt;
        if (debt == 0)
        {
            return 0;
        }

        cpu.Debt = 0;
        Counters.StolenNs += debt;
        var t = _tasks[task];
        t.StolenNs += debt;
        if (t.Vcpu >= 0)
        {
            Counters.Vcpus[t.Vcpu].StolenNs += debt;
        }

        return debt;
    }

    /// <summary>Foreign-task stolen time is counted by the plugin that knows whose doorbell it was.</summary>
    internal long StolenNsOfTask(int task) => _tasks[task].StolenNs;
}
