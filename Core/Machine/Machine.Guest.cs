using Emu.Core.Contracts;
using Emu.Core.Model;

namespace Emu.Core.Machine;

/// <summary>Guest mode: VMRUN, the workload's program, and interrupts taken in the guest.</summary>
internal sealed partial class Machine
{
    /// <summary>Linux's LOCAL_TIMER_VECTOR: the guest's LAPIC timer, which ends a halt with a timeout.</summary>
    public const byte LocalTimerVector = LapicVectors.LocalTimer;

    /// <summary>A workload returning this many zero-time actions in a row has a bug; stop rather than spin forever.</summary>
    private const int MaxInstantActions = 10_000;

    /// <summary>VMRUN: the vCPU (loaded, in the host kernel on its pCPU) enters guest mode.</summary>
    private void EnterGuest(VcpuRuntime v)
    {
        SetVcpuState(v, VcpuState.InGuest);
        SetMode(_cpus[v.Cpu], CpuMode.Guest);
        if (!v.Irr.IsEmpty)
        {
            TakeInterrupts(v); // the hardware evaluates pending IRR bits at VMRUN
        }

        if (v.Halted)
        {
            v.Halted = false; // HLT returns once an interrupt was taken
            Engine.Cancel(v.LapicTimer);
            RunGuestProgram(v);
        }
        else if (v.Spinning)
        {
            v.Phase = VcpuPhase.GuestSpin;
            if (v.ResumeRequested)
            {
                EndSpin(v);
            }
        }
        else if (v.RemainingNs > 0)
        {
            StartPhase(v, VcpuPhase.GuestCompute, v.RemainingNs);
        }
        else
        {
            RunGuestProgram(v);
        }
    }

    /// <summary>Asks the workload for actions until one takes time or leaves guest mode.</summary>
    private void RunGuestProgram(VcpuRuntime v)
    {
        var workload = _workloads[v.Info.Vm];
        for (int i = 0; i < MaxInstantActions; i++)
        {
            GuestAction a = workload.Next(v.Info.IndexInVm);
            switch (a.Kind)
            {
                case GuestActionKind.Compute:
                    if (a.DurationNs > 0)
                    {
                        StartPhase(v, VcpuPhase.GuestCompute, a.DurationNs);
                        return;
                    }

                    continue;
                case GuestActionKind.SendIpi:
                    if (WriteIcr(v, a.Icr))
                    {
                        return; // the write exited; the program resumes after VMRUN
                    }

                    if (v.State != VcpuState.InGuest)
                    {
                        return;
                    }

                    continue;
                case GuestActionKind.SpinWait:
                    if (v.ResumeRequested)
                    {
                        v.ResumeRequested = false;
                        continue;
                    }

                    v.Spinning = true;
                    v.Phase = VcpuPhase.GuestSpin;
                    return;
                case GuestActionKind.Halt:
                    Halt(v, a.DurationNs);
                    return;
                case GuestActionKind.UserspaceExit:
                    ExitToUserspace(v, a.DurationNs);
                    return;
                case GuestActionKind.MmioExit:
                    Counters.ExitsMmio++;
                    BeginExit(v, TraceKind.VmExit, Costs.VmExitNs + Math.Max(0, a.DurationNs));
                    return;
                case GuestActionKind.NestedExit:
                    Counters.ExitsNested++;
                    BeginExit(v, TraceKind.VmExit, Costs.VmExitNs + Math.Max(0, a.DurationNs));
                    return;
                default:
                    throw new InvalidOperationException($"unknown guest action {a.Kind}");
            }
        }

        Fail($"workload '{_workloads[v.Info.Vm].GetType().Name}' of vCPU {v.Info.Id} returned {MaxInstantActions} actions without taking time");
    }

    /// <summary>The guest writes ICR; returns true if the write exits.</summary>
    private bool WriteIcr(VcpuRuntime v, Icr icr)
    {
        Counters.Vcpus[v.Info.Id].IpisSent++;
        TraceInstant(v.Cpu, TraceKind.IcrWrite, v.Info.Id, (long)icr.Value);
        IcrWriteOutcome outcome = _iv.WriteIcr(v.Info.Id, icr);
        if (!outcome.Exits)
        {
            return false;
        }

        CountIcrExit(v, in outcome);

        // KVM's handler (the ICR emulation, or the incomplete-IPI kicks) runs once the #VMEXIT has landed (half
        // of the VMRUN/#VMEXIT round trip), and what it delivers is seen when it has done its work (the kicks
        // end kvm_apic_send_ipi and avic_kick_target_vcpus): the exit's cost is on the IPI's critical path.
        long expectedHandlerNs = Costs.IpiEmulationNs;
        BeginExit(v, TraceKind.VmExit, Costs.VmExitNs + expectedHandlerNs);
        long acts = (Costs.VmExitNs / 2) + expectedHandlerNs;
        if (acts <= 0)
        {
            RunIcrExitHandler(v, in outcome, expectedHandlerNs);
            return true;
        }

        v.PendingIcrExit = outcome;
        v.IcrExitPending = true;
        _pendingIcrExits++;
        Engine.Schedule(Now + acts, Kind(CoreEvent.IcrExitHandler), v.Info.Id);
        return true;
    }

    private void OnIcrExitHandler(VcpuRuntime v)
    {
        v.IcrExitPending = false;
        _pendingIcrExits--;
        RunIcrExitHandler(v, in v.PendingIcrExit, Costs.IpiEmulationNs);
    }

    /// <summary>
    /// Runs KVM's exit handler. The exit was charged <paramref name="expectedNs"/> for it; a handler that reports
    /// another cost lengthens or shortens the exit (or what is owed, if the vCPU was preempted meanwhile).
    /// </summary>
    private void RunIcrExitHandler(VcpuRuntime v, in IcrWriteOutcome outcome, long expectedNs)
    {
        long delta = Math.Max(0, _iv.HandleExit(v.Info.Id, in outcome)) - expectedNs;
        if (delta == 0)
        {
            return;
        }

        if (v.Phase == VcpuPhase.ExitHandling && v.State == VcpuState.InHostKernel)
        {
            v.PhaseEnd = Math.Max(Now, v.PhaseEnd + delta);
            Engine.Arm(v.PhaseTimer, v.PhaseEnd, Kind(CoreEvent.VcpuPhaseEnd), v.Info.Id);
        }
        else
        {
            v.RemainingNs = Math.Max(0, v.RemainingNs + delta);
        }
    }

    private void CountIcrExit(VcpuRuntime v, in IcrWriteOutcome outcome)
    {
        if (outcome.Exit == IcrExitKind.IcrWriteTrap)
        {
            Counters.ExitsIcrWrite++;
            return;
        }

        Counters.Vcpus[v.Info.Id].IncompleteIpiExits++;
        switch (outcome.Cause)
        {
            case IncompleteIpiCause.TargetNotRunning: Counters.ExitsTargetNotRunning++; break;
            case IncompleteIpiCause.InvalidTarget: Counters.ExitsInvalidTarget++; break;
            case IncompleteIpiCause.InvalidIntType: Counters.ExitsInvalidIntType++; break;
            case IncompleteIpiCause.InvalidBackingPage: Counters.ExitsInvalidBackingPage++; break;
            default: Counters.ExitsInvalidIpiVector++; break;
        }
    }

    public bool SetIrr(int target, byte vector)
    {
        var v = _vcpus[target];
        bool ipi = IsIpiVector(vector);
        bool fresh = v.Irr.Set(vector);
        if (fresh)
        {
            v.PendingSince[vector] = Now;
        }

        if (ipi)
        {
            Counters.IpisSent++;
            if (!fresh)
            {
                Counters.IpisCoalesced++;
            }
        }

        v.PendingCount[vector]++;
        if (v.Phase == VcpuPhase.HaltPoll)
        {
            // kvm_vcpu_check_block in the poll loop sees the IRR: the poll succeeds, VMRUN follows.
            Counters.HaltPollSuccesses++;
            v.PhaseEnd = Now;
            Engine.Arm(v.PhaseTimer, Now, Kind(CoreEvent.VcpuPhaseEnd), target);
        }
        else if (v.State == VcpuState.Blocked)
        {
            NoteBlockedWithIrr(v);
        }

        return fresh;
    }

    public void AcceptInGuest(int target)
    {
        var v = _vcpus[target];
        if (v.State == VcpuState.InGuest && !v.Irr.IsEmpty)
        {
            TakeInterrupts(v);
        }
    }

    /// <summary>The guest takes every pending vector, highest first; its workload reacts.</summary>
    private void TakeInterrupts(VcpuRuntime v)
    {
        var counters = Counters.Vcpus[v.Info.Id];
        int vector;
        while ((vector = v.Irr.Highest()) >= 0)
        {
            byte b = (byte)vector;
            v.Irr.Clear(b);
            int count = v.PendingCount[b];
            v.PendingCount[b] = 0;
            long latency = Now - v.PendingSince[b];
            Counters.InterruptsAccepted++;
            counters.InterruptsAccepted++;
            TraceInstant(v.Cpu, TraceKind.InterruptAccepted, v.Info.Id, b);
            if (!IsIpiVector(b))
            {
                _workloads[v.Info.Vm].OnInterrupt(v.Info.IndexInVm, b);
                continue;
            }

            Counters.IpisDelivered += count;
            counters.IpisReceived += count;
            counters.LatencyCount++;
            counters.LatencySumNs += latency;
            if (latency > counters.LatencyMaxNs)
            {
                counters.LatencyMaxNs = latency;
            }

            if (latency <= Results.SimulationCounters.MaxTrackedLatencyNs)
            {
                Counters.IpiLatency.RecordValue(latency);
            }

            _workloads[v.Info.Vm].OnInterrupt(v.Info.IndexInVm, b);
        }
    }

    public void Kick(int target)
    {
        var v = _vcpus[target];
        if (v.State != VcpuState.InGuest)
        {
            return; // not in guest: the IRR is taken at the next VMRUN
        }

        // A reschedule IPI to the pCPU forces an exit; the interrupt is injected on re-entry.
        Counters.Kicks++;
        Counters.ExitsExternalInterrupt++;
        BeginExit(v, TraceKind.VmExit, Costs.VmExitNs);
    }

    public bool WakeUp(int target)
    {
        var v = _vcpus[target];
        if (v.State != VcpuState.Blocked || v.WakePending)
        {
            return false;
        }

        v.WakePending = true;
        Counters.Wakeups++;
        Counters.Vcpus[target].Wakeups++;
        TraceInstant(v.Cpu, TraceKind.Wakeup, target, 0);
        Engine.Schedule(Now + Costs.WakeupNs, Kind(CoreEvent.WakeArrive), target);
        return true;
    }

    private void OnLapicTimer(int vcpu)
    {
        // The guest's timer interrupt is delivered by KVM (hrtimer -> kvm_apic_local_deliver).
        _iv.DeliverInterrupt(vcpu, LocalTimerVector);
    }

    /// <summary>Workloads end a spin-wait through their context; the vCPU continues as soon as it is in guest mode.</summary>
    internal void RequestResume(int vcpu)
    {
        var v = _vcpus[vcpu];
        v.ResumeRequested = true;
        if (v.Spinning && v.State == VcpuState.InGuest)
        {
            Engine.Schedule(Now, Kind(CoreEvent.SpinResume), vcpu);
        }
    }

    private void OnSpinResume(VcpuRuntime v)
    {
        if (v.Spinning && v.ResumeRequested && v.State == VcpuState.InGuest)
        {
            EndSpin(v);
        }
    }

    private void EndSpin(VcpuRuntime v)
    {
        v.Spinning = false;
        v.ResumeRequested = false;
        v.Phase = VcpuPhase.None;
        RunGuestProgram(v);
    }

    /// <summary>Every vector but the guest's own timer is an IPI in this model.</summary>
    public static bool IsIpiVector(byte vector) => vector != LocalTimerVector;

    /// <summary>Arms the vCPU's phase timer for <paramref name="ns"/> from now.</summary>
    private void StartPhase(VcpuRuntime v, VcpuPhase phase, long ns)
    {
        v.Phase = phase;
        v.RemainingNs = 0;
        v.PhaseEnd = Now + ns;
        Engine.Arm(v.PhaseTimer, v.PhaseEnd, Kind(CoreEvent.VcpuPhaseEnd), v.Info.Id);
    }
}
