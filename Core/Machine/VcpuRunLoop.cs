using Emu.Core.Contracts;
using Emu.Core.Engine;
using Emu.Core.Model;

namespace Emu.Core.Machine;

/// <summary>
/// KVM's vCPU run loop (vcpu_enter_guest and around it): VMRUN, the workload's program in guest mode, VM exits
/// and their handling time, HLT with halt-polling and blocking (kvm_vcpu_halt), userspace exits (KVM_RUN
/// returns), and what a vCPU thread does when the scheduler takes or gives its pCPU (put and load).
/// </summary>
internal sealed class VcpuRunLoop : IEventHandler
{
    /// <summary>A workload returning this many zero-time actions in a row has a bug; stop rather than spin forever.</summary>
    private const int MaxInstantActions = 10_000;

    private enum Kind
    {
        VcpuPhaseEnd,
        SpinResume,
        Count,
    }

    private readonly MachineState _m;
    private readonly int _kindBase;

    public VcpuRunLoop(MachineState m)
    {
        _m = m;
        _kindBase = m.RegisterKinds<Kind>(this, (int)Kind.Count);
    }

    private long Now => _m.Engine.Now;

    void IEventHandler.Handle(in SimEvent e)
    {
        var v = _m.Vcpus[e.Subject];
        if (e.Kind - _kindBase == (int)Kind.VcpuPhaseEnd)
        {
            OnPhaseEnd(v);
        }
        else if (v.Spinning && v.ResumeRequested && v.State == VcpuState.InGuest)
        {
            EndSpin(v);
        }
    }

    /// <summary>VMRUN: the vCPU (loaded, in the host kernel on its pCPU) enters guest mode.</summary>
    public void EnterGuest(VcpuRuntime v)
    {
        if (v.InitPending && _m.Interrupts.AcceptInit(v))
        {
            BlockForSipi(v);
            return;
        }

        _m.Accounting.SetVcpuState(v, VcpuState.InGuest);
        _m.Accounting.SetMode(_m.Cpus[v.Cpu], CpuMode.Guest);
        bool woken = v.NmiPending > 0 || !v.Irr.IsEmpty;
        if (v.NmiPending > 0)
        {
            _m.Interrupts.TakeNmis(v); // KVM injects a pending NMI at VMRUN (event injection)
        }

        if (!v.Irr.IsEmpty)
        {
            _m.Interrupts.TakeInterrupts(v); // the hardware evaluates pending IRR bits at VMRUN
        }

        if (v.Halted)
        {
            if (!woken && !v.HltExits)
            {
                v.Phase = VcpuPhase.GuestIdle; // an HLT in guest mode goes on after a preemption
                return;
            }

            v.Halted = false; // HLT returns once an interrupt was taken
            _m.Engine.Cancel(v.LapicTimer);
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
        else if (v.GuestRemainingNs > 0)
        {
            // The guest picks up the burst an exit or a preemption interrupted (VMRUN returns to the same RIP).
            long ns = v.GuestRemainingNs;
            v.GuestRemainingNs = 0;
            StartPhase(v, v.GuestPolling ? VcpuPhase.GuestHaltPoll : VcpuPhase.GuestCompute, ns);
        }
        else
        {
            RunGuestProgram(v);
        }
    }

    /// <summary>
    /// The guest took an interrupt in guest mode (a doorbell, a posted interrupt): a vCPU halted in guest mode, or
    /// in the guest's own halt-poll, goes on with its program.
    /// </summary>
    public void OnInterruptInGuest(VcpuRuntime v)
    {
        if (v.Phase == VcpuPhase.GuestIdle)
        {
            v.Halted = false;
            _m.Engine.Cancel(v.LapicTimer);
        }
        else if (v.Phase == VcpuPhase.GuestHaltPoll)
        {
            v.GuestPolling = false;
            _m.Engine.Cancel(v.PhaseTimer);
        }
        else
        {
            return;
        }

        v.Phase = VcpuPhase.None;
        RunGuestProgram(v);
    }

    /// <summary>Asks the workload for actions until one takes time or leaves guest mode.</summary>
    public void RunGuestProgram(VcpuRuntime v)
    {
        var workload = _m.Workloads[v.Info.Vm];
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
                    if (_m.IcrWrites.Write(v, a.Icr))
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
                    _m.Counters.ExitsMmio++;
                    v.ExitReason = ExitReason.Npf;
                    BeginExit(v, TraceKind.VmExit, _m.Costs.VmExitNs + Math.Max(0, a.DurationNs));
                    return;
                case GuestActionKind.NestedExit:
                    _m.Counters.ExitsNested++;
                    v.ExitReason = ExitReason.Vmrun;
                    BeginExit(v, TraceKind.VmExit, _m.Costs.VmExitNs + Math.Max(0, a.DurationNs));
                    return;
                default:
                    throw new InvalidOperationException($"unknown guest action {a.Kind}");
            }
        }

        _m.Monitor.Fail($"workload '{workload.GetType().Name}' of vCPU {v.Info.Id} returned {MaxInstantActions} actions without taking time");
    }

    /// <summary>Workloads end a spin-wait through their context; the vCPU continues as soon as it is in guest mode.</summary>
    public void RequestResume(int vcpu)
    {
        var v = _m.Vcpus[vcpu];
        v.ResumeRequested = true;
        if (v.Spinning && v.State == VcpuState.InGuest)
        {
            _m.Engine.Schedule(Now, _kindBase + (int)Kind.SpinResume, vcpu);
        }
    }

    private void EndSpin(VcpuRuntime v)
    {
        v.Spinning = false;
        v.ResumeRequested = false;
        v.Phase = VcpuPhase.None;
        RunGuestProgram(v);
    }

    /// <summary>Arms the vCPU's phase timer for <paramref name="ns"/> from now.</summary>
    public void StartPhase(VcpuRuntime v, VcpuPhase phase, long ns)
    {
        v.Phase = phase;
        v.RemainingNs = 0;
        v.PhaseEnd = Now + ns;
        _m.Engine.Arm(v.PhaseTimer, v.PhaseEnd, _kindBase + (int)Kind.VcpuPhaseEnd, v.Info.Id);
    }

    /// <summary>Moves the end of the current phase (a handler that took longer or shorter than expected).</summary>
    public void MovePhaseEnd(VcpuRuntime v, long end)
    {
        v.PhaseEnd = end;
        _m.Engine.Arm(v.PhaseTimer, end, _kindBase + (int)Kind.VcpuPhaseEnd, v.Info.Id);
    }

    /// <summary>The vCPU exits to the host kernel for <paramref name="ns"/>, then re-enters (VMRUN).</summary>
    public void BeginExit(VcpuRuntime v, TraceKind trace, long ns)
    {
        SaveGuestProgress(v);
        v.Counters.VmExits++;
        _m.Accounting.SetVcpuState(v, VcpuState.InHostKernel);
        _m.Accounting.SetMode(_m.Cpus[v.Cpu], CpuMode.Host);
        // The reason (and, for an incomplete IPI, EXITINFO2: cause in 34:32, index in 8:0) for the trace's arguments.
        long info = v.ExitReason == ExitReason.AvicIncompleteIpi ? (long)(v.ExitInfo2 << 8) : 0;
        _m.Monitor.TraceInstant(v.Cpu, trace, v.Info.Id, (long)v.ExitReason | info);
        StartPhase(v, VcpuPhase.ExitHandling, ns);
    }

    /// <summary>Remembers how much of the current compute burst is left when the guest stops running it.</summary>
    private void SaveGuestProgress(VcpuRuntime v)
    {
        if (v.Phase is VcpuPhase.GuestCompute or VcpuPhase.GuestHaltPoll)
        {
            v.GuestRemainingNs = Math.Max(0, v.PhaseEnd - Now);
        }

        _m.Engine.Cancel(v.PhaseTimer);
        v.Phase = VcpuPhase.None;
    }

    private void OnPhaseEnd(VcpuRuntime v)
    {
        long debt = _m.Accounting.TakeDebt(_m.Cpus[v.Cpu], v.Info.Task);
        if (debt > 0)
        {
            // Stolen time (spurious doorbells) delays whatever ran: this phase ends later.
            MovePhaseEnd(v, Now + debt);
            return;
        }

        VcpuPhase phase = v.Phase;
        v.Phase = VcpuPhase.None;
        switch (phase)
        {
            case VcpuPhase.GuestCompute:
                RunGuestProgram(v);
                break;
            case VcpuPhase.GuestHaltPoll:
                v.GuestPolling = false;
                Halt(v, v.PendingHaltTimeoutNs, guestPolled: true);
                break;
            case VcpuPhase.ExitHandling:
                if (v.InHalt)
                {
                    StartHalt(v);
                }
                else
                {
                    EnterGuest(v);
                }

                break;
            case VcpuPhase.HaltPoll:
                EndHaltPoll(v);
                break;
            case VcpuPhase.Userspace:
                // KVM_RUN again: vcpu_load, then VMRUN.
                Load(v, v.Cpu);
                _m.Accounting.SetVcpuState(v, VcpuState.InHostKernel);
                EnterGuest(v);
                break;
            default:
                throw new InvalidOperationException($"vCPU {v.Info.Id} phase timer fired in phase {phase}");
        }
    }

    /// <summary>
    /// Guest HLT: the exit lands (the round trip is charged as exit handling), then kvm_vcpu_halt runs: an
    /// adaptive poll with IsRunning still 1, then kvm_vcpu_block (<see cref="StartHalt"/>).
    /// </summary>
    private void Halt(VcpuRuntime v, long timeoutNs, bool guestPolled = false)
    {
        if (!v.Irr.IsEmpty)
        {
            _m.Interrupts.TakeInterrupts(v); // an interrupt is already pending: HLT falls through (NMIs and INITs kick the vCPU out, so none waits here)
            RunGuestProgram(v);
            return;
        }

        if (v.GuestHaltPollNs > 0 && !guestPolled)
        {
            // cpuidle-haltpoll: the guest spins before it executes HLT; an interrupt taken meanwhile ends the idle.
            v.GuestPolling = true;
            v.PendingHaltTimeoutNs = timeoutNs;
            StartPhase(v, VcpuPhase.GuestHaltPoll, v.GuestHaltPollNs);
            return;
        }

        if (!v.HltExits)
        {
            // KVM_X86_DISABLE_EXITS_HLT: the CPU idles in guest mode, holding the pCPU with IsRunning = 1.
            v.Halted = true;
            if (timeoutNs > 0)
            {
                _m.Interrupts.ArmLapicTimer(v, Now + timeoutNs);
            }

            v.Phase = VcpuPhase.GuestIdle;
            return;
        }

        _m.Counters.ExitsHlt++;
        v.ExitReason = ExitReason.Hlt;
        v.Counters.HltExits++;
        v.Halted = true;
        v.InHalt = true;
        if (timeoutNs > 0)
        {
            _m.Interrupts.ArmLapicTimer(v, Now + timeoutNs);
        }

        BeginExit(v, TraceKind.VmExit, _m.Costs.VmExitNs);
    }

    /// <summary>
    /// kvm_vcpu_halt: poll for up to the vCPU's window while kvm_vcpu_can_poll (no other task runnable on the pCPU;
    /// the loop checks once even when it cannot poll), then block. A vCPU whose window is 0 does not poll.
    /// </summary>
    private void StartHalt(VcpuRuntime v)
    {
        v.HaltStart = Now;
        v.PollEnd = Now;
        // A guest with cpuidle-haltpoll turns KVM's polling off (MSR_KVM_POLL_CONTROL: kvm_arch_no_poll).
        long window = v.GuestHaltPollNs > 0 ? 0 : _m.HaltPolls.Start(v);
        v.HaltPolled = window > 0;
        if (v.HasEvents)
        {
            FinishHalt(v, waited: false);
            EnterGuest(v);
            return;
        }

        if (v.HaltPolled && _m.Scheduling.CanPoll(v.Cpu))
        {
            v.Phase = VcpuPhase.HaltPoll;
            MovePhaseEnd(v, Now + window);
            return;
        }

        Block(v);
    }

    /// <summary>kvm_vcpu_check_block in the poll loop saw an IRR bit: the poll ends now (and succeeds).</summary>
    public void EndPollNow(VcpuRuntime v) => MovePhaseEnd(v, Now);

    /// <summary>kvm_vcpu_can_poll turned false (another task became runnable on the pCPU): the poll loop stops now.</summary>
    public void CutPoll(int cpu)
    {
        int task = _m.Cpus[cpu].Current;
        int vcpu = task < 0 ? -1 : _m.Tasks[task].Vcpu;
        if (vcpu >= 0 && _m.Vcpus[vcpu].Phase == VcpuPhase.HaltPoll)
        {
            MovePhaseEnd(_m.Vcpus[vcpu], Now);
        }
    }

    private void EndHaltPoll(VcpuRuntime v)
    {
        v.PollEnd = Now;
        if (v.HasEvents)
        {
            FinishHalt(v, waited: false);
            EnterGuest(v);
            return;
        }

        Block(v);
    }

    /// <summary>kvm_vcpu_block: kvm_arch_vcpu_blocking, then the final kvm_vcpu_check_block, then sleep.</summary>
    private void Block(VcpuRuntime v)
    {
        StartBlocking(v);
        if (v.HasEvents)
        {
            Unblock(v);
            FinishHalt(v, waited: false);
            EnterGuest(v);
            return;
        }

        Sleep(v);
    }

    /// <summary>After INIT an application processor is not runnable until a SIPI (KVM_MP_STATE_INIT_RECEIVED): vcpu_block.</summary>
    private void BlockForSipi(VcpuRuntime v)
    {
        StartBlocking(v);
        Sleep(v);
    }

    /// <summary>kvm_arch_vcpu_blocking: every lifecycle hook hears it (AVIC clears IsRunning in both modes).</summary>
    private void StartBlocking(VcpuRuntime v)
    {
        v.Blocking = true;
        var hooks = _m.Hooks;
        for (int i = 0; i < hooks.Length; i++)
        {
            hooks[i].Blocking(v.Info.Id);
        }
    }

    /// <summary>The thread sleeps: the vCPU is blocked and its pCPU goes to whatever is next.</summary>
    private void Sleep(VcpuRuntime v)
    {
        _m.Accounting.SetVcpuState(v, VcpuState.Blocked);
        v.Resume = ResumePoint.Unblock;
        var cpu = _m.Cpus[v.Cpu];
        _m.Scheduling.Stop(cpu, _m.Tasks[v.Info.Task], runnable: false);
        _m.Scheduling.TryDispatch(cpu);
    }

    /// <summary>
    /// The halt ends: update_halt_poll_stats (a poll succeeds when the vCPU was never scheduled out) and the
    /// window's grow or shrink for a halt of this length, polling included.
    /// </summary>
    private void FinishHalt(VcpuRuntime v, bool waited)
    {
        if (!v.InHalt)
        {
            return; // woken from a block that was not a halt (INIT's wait for SIPI)
        }

        v.InHalt = false;
        if (v.HaltPolled)
        {
            var totals = _m.Counters;
            var c = v.Counters;
            long polled = v.PollEnd - v.HaltStart;
            totals.HaltPollsAttempted++;
            c.HaltPollsAttempted++;
            totals.HaltPollNs += polled;
            c.HaltPollNs += polled;
            if (!waited)
            {
                totals.HaltPollsSuccessful++;
                c.HaltPollsSuccessful++;
            }
        }

        if (v.GuestHaltPollNs == 0)
        {
            _m.HaltPolls.Update(v, Now - v.HaltStart);
        }

        // kvm_vcpu_halt's last word, the kvm_vcpu_wakeup tracepoint: the halt's length and whether the vCPU slept.
        _m.Monitor.TraceInstant(v.Cpu, TraceKind.HaltEnded, v.Info.Id, ((Now - v.HaltStart) << 1) | (waited ? 1L : 0L));
    }

    private void Unblock(VcpuRuntime v)
    {
        v.Blocking = false;
        var hooks = _m.Hooks;
        for (int i = 0; i < hooks.Length; i++)
        {
            hooks[i].Unblocking(v.Info.Id);
        }
    }

    /// <summary>A userspace exit: KVM_RUN returns (vcpu_put); the VMM works; KVM_RUN again.</summary>
    private void ExitToUserspace(VcpuRuntime v, long ns)
    {
        var counters = _m.Counters;
        counters.ExitsUserspace++;
        v.ExitReason = ExitReason.Io;
        counters.Vcpus[v.Info.Id].UserspaceExits++;
        counters.Vcpus[v.Info.Id].VmExits++;
        SaveGuestProgress(v);
        _m.Monitor.TraceInstant(v.Cpu, TraceKind.VmExit, v.Info.Id, (long)ExitReason.Io);
        Put(v);
        _m.Accounting.SetVcpuState(v, VcpuState.InUserspace);
        _m.Accounting.SetMode(_m.Cpus[v.Cpu], CpuMode.Host);
        StartPhase(v, VcpuPhase.Userspace, _m.Costs.VmExitNs + _m.Costs.UserspaceRoundTripNs + Math.Max(0, ns));
        _m.Devices.OnUserspaceExit(v); // the request the VMM submits: a device completes it later
    }

    private void Load(VcpuRuntime v, int cpu)
    {
        v.Loaded = true;
        v.Cpu = cpu;
        var hooks = _m.Hooks;
        for (int i = 0; i < hooks.Length; i++)
        {
            hooks[i].Load(v.Info.Id, cpu);
        }
    }

    private void Put(VcpuRuntime v)
    {
        if (!v.Loaded)
        {
            return;
        }

        var hooks = _m.Hooks;
        for (int i = 0; i < hooks.Length; i++)
        {
            hooks[i].Put(v.Info.Id);
        }

        v.Loaded = false;
    }

    /// <summary>The vCPU's thread got the pCPU (the switch is done): it carries on where it stopped.</summary>
    public void Resume(VcpuRuntime v, CpuRuntime cpu)
    {
        v.Counters.ContextSwitches++;
        v.Cpu = cpu.Id;

        // Reset before resuming: the guest program runs synchronously from here and may halt and block again,
        // setting its own resume point, which must not be overwritten afterwards.
        var resume = v.Resume;
        v.Resume = ResumePoint.Guest;
        switch (resume)
        {
            case ResumePoint.Guest:
                Load(v, cpu.Id);
                _m.Accounting.SetVcpuState(v, VcpuState.InHostKernel);
                EnterGuest(v);
                break;
            case ResumePoint.ExitHandling:
                Load(v, cpu.Id);
                _m.Accounting.SetVcpuState(v, VcpuState.InHostKernel);
                StartPhase(v, VcpuPhase.ExitHandling, v.RemainingNs);
                break;
            case ResumePoint.Unblock:
                // kvm_sched_in (load: AVIC skips it while blocking), finish_rcuwait, kvm_arch_vcpu_unblocking.
                Load(v, cpu.Id);
                v.WakePending = false;
                Unblock(v);
                _m.Accounting.SetVcpuState(v, VcpuState.InHostKernel);
                FinishHalt(v, waited: true);
                EnterGuest(v);
                break;
            case ResumePoint.Halt:
                Load(v, cpu.Id);
                _m.Accounting.SetVcpuState(v, VcpuState.InHostKernel);
                EndHaltPoll(v);
                break;
            case ResumePoint.Userspace:
                _m.Accounting.SetVcpuState(v, VcpuState.InUserspace);
                StartPhase(v, VcpuPhase.Userspace, v.RemainingNs);
                break;
        }
    }

    /// <summary>The scheduler takes the pCPU from the vCPU's thread: save where it was, and put it (KVM's sched-out).</summary>
    public void Preempt(VcpuRuntime v, long debt)
    {
        switch (v.State)
        {
            case VcpuState.InGuest:
                // The host's timer tick interrupts the guest: an external-interrupt exit, then sched-out.
                _m.Counters.ExitsExternalInterrupt++;
                v.Counters.VmExits++;
                v.ExitReason = ExitReason.Intr;
                _m.Monitor.TraceInstant(v.Cpu, TraceKind.VmExit, v.Info.Id, (long)ExitReason.Intr);
                SaveGuestProgress(v);
                if (v.GuestRemainingNs > 0)
                {
                    v.GuestRemainingNs += debt;
                }

                Put(v);
                _m.Accounting.SetVcpuState(v, VcpuState.Preempted);
                v.Resume = ResumePoint.Guest;
                break;
            case VcpuState.InHostKernel:
                bool polling = v.Phase == VcpuPhase.HaltPoll;
                if (polling)
                {
                    v.PollEnd = Now; // the poll loop stops when the thread is scheduled out
                }

                SaveRemaining(v, debt);
                Put(v);
                _m.Accounting.SetVcpuState(v, VcpuState.Preempted);
                v.Resume = polling ? ResumePoint.Halt : ResumePoint.ExitHandling;
                break;
            case VcpuState.InUserspace:
                SaveRemaining(v, debt);
                _m.Accounting.SetVcpuState(v, VcpuState.Preempted);
                v.Resume = ResumePoint.Userspace;
                break;
            case VcpuState.Blocked:
                Put(v); // sched-out of the blocked thread: kvm_arch_vcpu_put
                break;
            default:
                throw new InvalidOperationException($"vCPU {v.Info.Id} descheduled in state {v.State}");
        }
    }

    /// <summary>What is left of a host-side phase, plus stolen time, waits for the thread's next turn.</summary>
    private void SaveRemaining(VcpuRuntime v, long debt)
    {
        v.RemainingNs = Math.Max(0, v.PhaseEnd - Now) + debt;
        _m.Engine.Cancel(v.PhaseTimer);
        v.Phase = VcpuPhase.None;
    }
}
