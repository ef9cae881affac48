using Emu.Core.Model;

namespace Emu.Core.Machine;

/// <summary>Leaving guest mode: VM exits, HLT with halt-polling and blocking, userspace exits.</summary>
internal sealed partial class Machine
{
    /// <summary>The vCPU exits to the host kernel for <paramref name="ns"/>, then re-enters (VMRUN).</summary>
    private void BeginExit(VcpuRuntime v, TraceKind trace, long ns)
    {
        SaveGuestProgress(v);
        Counters.Vcpus[v.Info.Id].VmExits++;
        SetVcpuState(v, VcpuState.InHostKernel);
        SetMode(_cpus[v.Cpu], CpuMode.Host);
        TraceInstant(v.Cpu, trace, v.Info.Id, 0);
        StartPhase(v, VcpuPhase.ExitHandling, ns);
    }

    /// <summary>Remembers how much of the current compute burst is left when the guest stops running it.</summary>
    private void SaveGuestProgress(VcpuRuntime v)
    {
        if (v.Phase == VcpuPhase.GuestCompute)
        {
            v.RemainingNs = Math.Max(0, v.PhaseEnd - Now);
        }

        Engine.Cancel(v.PhaseTimer);
        v.Phase = VcpuPhase.None;
    }

    private void OnVcpuPhaseEnd(VcpuRuntime v)
    {
        long debt = TakeDebt(_cpus[v.Cpu], v.Info.Task);
        if (debt > 0)
        {
            // Stolen time (spurious doorbells) delays whatever ran: this phase ends later.
            v.PhaseEnd = Now + debt;
            Engine.Arm(v.PhaseTimer, v.PhaseEnd, Kind(CoreEvent.VcpuPhaseEnd), v.Info.Id);
            return;
        }

        VcpuPhase phase = v.Phase;
        v.Phase = VcpuPhase.None;
        switch (phase)
        {
            case VcpuPhase.GuestCompute:
                RunGuestProgram(v);
                break;
            case VcpuPhase.ExitHandling:
                EnterGuest(v);
                break;
            case VcpuPhase.HaltPoll:
                EndHaltPoll(v);
                break;
            case VcpuPhase.Userspace:
                // KVM_RUN again: vcpu_load, then VMRUN.
                LoadVcpu(v, v.Cpu);
                SetVcpuState(v, VcpuState.InHostKernel);
                EnterGuest(v);
                break;
            default:
                throw new InvalidOperationException($"vCPU {v.Info.Id} phase timer fired in phase {phase}");
        }
    }

    /// <summary>Guest HLT: exit, halt-poll with IsRunning still 1, then block (kvm_vcpu_halt).</summary>
    private void Halt(VcpuRuntime v, long timeoutNs)
    {
        if (!v.Irr.IsEmpty)
        {
            TakeInterrupts(v); // an interrupt is already pending: HLT falls through
            RunGuestProgram(v);
            return;
        }

        Counters.ExitsHlt++;
        Counters.Vcpus[v.Info.Id].HltExits++;
        v.Halted = true;
        if (timeoutNs > 0)
        {
            Engine.Arm(v.LapicTimer, Now + timeoutNs, Kind(CoreEvent.LapicTimer), v.Info.Id);
        }

        BeginExit(v, TraceKind.VmExit, Costs.VmExitNs);
        if (Costs.HaltPollNs > 0)
        {
            v.Phase = VcpuPhase.HaltPoll;
            v.PhaseEnd = Now + Costs.HaltPollNs;
            Engine.Arm(v.PhaseTimer, v.PhaseEnd, Kind(CoreEvent.VcpuPhaseEnd), v.Info.Id);
        }
        else
        {
            Engine.Cancel(v.PhaseTimer);
            v.Phase = VcpuPhase.None;
            EndHaltPoll(v);
        }
    }

    private void EndHaltPoll(VcpuRuntime v)
    {
        if (!v.Irr.IsEmpty)
        {
            EnterGuest(v);
            return;
        }

        // kvm_vcpu_block: kvm_arch_vcpu_blocking, then the final kvm_vcpu_check_block.
        v.Blocking = true;
        for (int i = 0; i < _hooks.Length; i++)
        {
            _hooks[i].Blocking(v.Info.Id);
        }

        if (!v.Irr.IsEmpty)
        {
            UnblockHooks(v);
            EnterGuest(v);
            return;
        }

        SetVcpuState(v, VcpuState.Blocked);
        v.Resume = ResumePoint.Unblock;
        var cpu = _cpus[v.Cpu];
        _scheduler.Stopping(v.Info.Task, cpu.Id, runnable: false);
        Deschedule(cpu, _tasks[v.Info.Task], runnable: false);
        TryDispatch(cpu);
    }

    private void UnblockHooks(VcpuRuntime v)
    {
        v.Blocking = false;
        for (int i = 0; i < _hooks.Length; i++)
        {
            _hooks[i].Unblocking(v.Info.Id);
        }
    }

    /// <summary>A userspace exit: KVM_RUN returns (vcpu_put); the VMM works; KVM_RUN again.</summary>
    private void ExitToUserspace(VcpuRuntime v, long ns)
    {
        Counters.ExitsUserspace++;
        Counters.Vcpus[v.Info.Id].UserspaceExits++;
        Counters.Vcpus[v.Info.Id].VmExits++;
        SaveGuestProgress(v);
        TraceInstant(v.Cpu, TraceKind.VmExit, v.Info.Id, 1);
        PutVcpu(v);
        SetVcpuState(v, VcpuState.InUserspace);
        SetMode(_cpus[v.Cpu], CpuMode.Host);
        StartPhase(v, VcpuPhase.Userspace, Costs.VmExitNs + Costs.UserspaceRoundTripNs + Math.Max(0, ns));
    }

    private void LoadVcpu(VcpuRuntime v, int cpu)
    {
        v.Loaded = true;
        v.Cpu = cpu;
        for (int i = 0; i < _hooks.Length; i++)
        {
            _hooks[i].Load(v.Info.Id, cpu);
        }
    }

    private void PutVcpu(VcpuRuntime v)
    {
        if (!v.Loaded)
        {
            return;
        }

        for (int i = 0; i < _hooks.Length; i++)
        {
            _hooks[i].Put(v.Info.Id);
        }

        v.Loaded = false;
    }
}
