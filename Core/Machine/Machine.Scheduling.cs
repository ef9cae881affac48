using Emu.Core.Model;

namespace Emu.Core.Machine;

/// <summary>The scheduling mechanism: runnable tasks, slices, context switches with KVM's put and load.</summary>
internal sealed partial class Machine
{
    /// <summary>The task became runnable (start, wake-up): the policy picks its queue, an idle pCPU takes it.</summary>
    private void MakeRunnable(int task, int prevCpu)
    {
        var t = _tasks[task];
        t.Runnable = true;
        t.RunnableSince = Now;
        int cpu = Enqueue(t, prevCpu);
        if (cpu >= 0)
        {
            TryDispatch(_cpus[cpu]);
        }
    }

    /// <summary>The policy picks the task's queue (ops.select_cpu, then ops.enqueue); -1 and a failure if it picked a pCPU the task may not use.</summary>
    private int Enqueue(TaskRuntime t, int prevCpu)
    {
        int cpu = _scheduler.SelectCpu(t.Id, prevCpu);
        if ((uint)cpu >= (uint)_cpus.Length || !t.Allowed[cpu])
        {
            Fail($"scheduler '{_scheduler.Name}' selected pCPU {cpu} for task {t.Id}, which may not run there");
            return -1;
        }

        _scheduler.Enqueue(t.Id, cpu);
        return cpu;
    }

    /// <summary>An idle pCPU asks the policy for work.</summary>
    private void TryDispatch(CpuRuntime cpu)
    {
        if (cpu.Current >= 0 || cpu.Incoming >= 0 || Failure is not null)
        {
            return;
        }

        int next = _scheduler.Dispatch(cpu.Id);
        if (next < 0)
        {
            SetMode(cpu, CpuMode.Idle);
            TraceSwitch(cpu.Id, -1);
            return;
        }

        SwitchIn(cpu, next);
    }

    /// <summary>Policy's scx_bpf_kick_cpu: an idle pCPU re-runs dispatch (at once, after the current event).</summary>
    internal void KickCpu(int cpu)
    {
        if ((uint)cpu < (uint)_cpus.Length && _cpus[cpu].Current < 0 && _cpus[cpu].Incoming < 0)
        {
            Engine.Schedule(Now, Kind(CoreEvent.Resched), cpu);
        }
    }

    private void SwitchIn(CpuRuntime cpu, int task)
    {
        var t = _tasks[task];
        if (!t.Runnable || t.Cpu >= 0 || !t.Allowed[cpu.Id])
        {
            Fail($"scheduler '{_scheduler.Name}' dispatched task {task} on pCPU {cpu.Id} but it is {(t.Cpu >= 0 ? $"running on pCPU {t.Cpu}" : !t.Runnable ? "not runnable" : "not allowed there")}");
            return;
        }

        t.Runnable = false;
        long waited = Now - t.RunnableSince;
        t.RunQueueWaitNs += waited;
        t.MaxRunQueueWaitNs = Math.Max(t.MaxRunQueueWaitNs, waited);
        if (t.Vcpu >= 0)
        {
            Counters.Vcpus[t.Vcpu].RunQueueWaitNs += waited;
        }

        cpu.Incoming = task;
        t.Cpu = cpu.Id;
        SetMode(cpu, CpuMode.Host);
        Engine.Arm(cpu.SwitchTimer, Now + Costs.ContextSwitchNs, Kind(CoreEvent.SwitchDone), cpu.Id);
    }

    private void OnSwitchDone(CpuRuntime cpu)
    {
        int task = cpu.Incoming;
        cpu.Incoming = -1;
        cpu.Current = task;
        var t = _tasks[task];
        if (t.LastCpu >= 0 && t.LastCpu != cpu.Id)
        {
            t.Migrations++;
        }

        t.LastCpu = cpu.Id;
        t.OnCpuSince = Now;
        t.ContextSwitches++;
        Counters.ContextSwitches++;
        Counters.Pcpus[cpu.Id].ContextSwitches++;
        TraceSwitch(cpu.Id, task);
        _scheduler.Running(task, cpu.Id);
        ArmSlice(cpu, task);

        if (t.Vcpu < 0)
        {
            SetMode(cpu, CpuMode.HostTask);
            t.PhaseEnd = Now + t.RemainingNs;
            Engine.Arm(t.PhaseTimer, t.PhaseEnd, Kind(CoreEvent.HostTaskPhaseEnd), task);
            return;
        }

        var v = _vcpus[t.Vcpu];
        Counters.Vcpus[v.Info.Id].ContextSwitches++;
        v.Cpu = cpu.Id;

        // Reset before resuming: the guest program runs synchronously from here and may halt and block again,
        // setting its own resume point, which must not be overwritten afterwards.
        var resume = v.Resume;
        v.Resume = ResumePoint.Guest;
        switch (resume)
        {
            case ResumePoint.Guest:
                LoadVcpu(v, cpu.Id);
                SetVcpuState(v, VcpuState.InHostKernel);
                EnterGuest(v);
                break;
            case ResumePoint.ExitHandling:
                LoadVcpu(v, cpu.Id);
                SetVcpuState(v, VcpuState.InHostKernel);
                StartPhase(v, VcpuPhase.ExitHandling, v.RemainingNs);
                break;
            case ResumePoint.Unblock:
                // kvm_sched_in (load: AVIC skips it while blocking), finish_rcuwait, kvm_arch_vcpu_unblocking.
                LoadVcpu(v, cpu.Id);
                v.WakePending = false;
                UnblockHooks(v);
                SetVcpuState(v, VcpuState.InHostKernel);
                EnterGuest(v);
                break;
            case ResumePoint.Userspace:
                SetVcpuState(v, VcpuState.InUserspace);
                StartPhase(v, VcpuPhase.Userspace, v.RemainingNs);
                break;
        }
    }

    private void ArmSlice(CpuRuntime cpu, int task)
    {
        long slice = _scheduler.TimeSliceNs(task, cpu.Id);
        cpu.SliceStart = Now;
        Engine.Arm(cpu.SliceTimer, Now + Math.Max(1, slice), Kind(CoreEvent.SliceEnd), cpu.Id);
    }

    private void OnSliceEnd(CpuRuntime cpu)
    {
        int task = cpu.Current;
        if (task < 0)
        {
            return;
        }

        var t = _tasks[task];
        if (t.Vcpu >= 0 && _vcpus[t.Vcpu].Phase == VcpuPhase.HaltPoll)
        {
            // Halt-polling ends on its own within the poll window; let it block or succeed first.
            Engine.Arm(cpu.SliceTimer, _vcpus[t.Vcpu].PhaseEnd + 1, Kind(CoreEvent.SliceEnd), cpu.Id);
            return;
        }

        _scheduler.Stopping(task, cpu.Id, runnable: true);
        t.Runnable = true;
        t.RunnableSince = Now;
        t.Cpu = -1;
        _scheduler.Enqueue(task, cpu.Id);
        int next = _scheduler.Dispatch(cpu.Id);
        if (next == task)
        {
            t.Runnable = false;
            t.Cpu = cpu.Id;
            _scheduler.Running(task, cpu.Id);
            ArmSlice(cpu, task);
            return;
        }

        t.Cpu = cpu.Id;
        Deschedule(cpu, t, runnable: true);
        if (next >= 0)
        {
            SwitchIn(cpu, next);
        }
        else
        {
            TryDispatch(cpu);
        }
    }

    /// <summary>Takes the running task off its pCPU, saving where it was (KVM put for a loaded vCPU).</summary>
    private void Deschedule(CpuRuntime cpu, TaskRuntime t, bool runnable)
    {
        long debt = TakeDebt(cpu, t.Id);
        AccountOnCpu(t);

        Engine.Cancel(cpu.SliceTimer);
        if (t.Vcpu >= 0)
        {
            PreemptVcpu(_vcpus[t.Vcpu], debt);
        }
        else if (runnable)
        {
            Engine.Cancel(t.PhaseTimer);
            t.RemainingNs = Math.Max(0, t.PhaseEnd - Now) + debt;
        }

        t.Cpu = -1;
        if (runnable)
        {
            t.Runnable = true;
            t.RunnableSince = Now;
        }

        cpu.Current = -1;
        SetMode(cpu, CpuMode.Host);
    }

    private void PreemptVcpu(VcpuRuntime v, long debt)
    {
        switch (v.State)
        {
            case VcpuState.InGuest:
                // The host's timer tick interrupts the guest: an external-interrupt exit, then sched-out.
                Counters.ExitsExternalInterrupt++;
                Counters.Vcpus[v.Info.Id].VmExits++;
                SaveGuestProgress(v);
                if (v.RemainingNs > 0)
                {
                    v.RemainingNs += debt;
                }

                PutVcpu(v);
                SetVcpuState(v, VcpuState.Preempted);
                v.Resume = ResumePoint.Guest;
                break;
            case VcpuState.InHostKernel:
                v.RemainingNs = Math.Max(0, v.PhaseEnd - Now) + debt;
                Engine.Cancel(v.PhaseTimer);
                v.Phase = VcpuPhase.None;
                PutVcpu(v);
                SetVcpuState(v, VcpuState.Preempted);
                v.Resume = ResumePoint.ExitHandling;
                break;
            case VcpuState.InUserspace:
                v.RemainingNs = Math.Max(0, v.PhaseEnd - Now) + debt;
                Engine.Cancel(v.PhaseTimer);
                v.Phase = VcpuPhase.None;
                SetVcpuState(v, VcpuState.Preempted);
                v.Resume = ResumePoint.Userspace;
                break;
            case VcpuState.Blocked:
                PutVcpu(v); // sched-out of the blocked thread: kvm_arch_vcpu_put
                break;
            default:
                throw new InvalidOperationException($"vCPU {v.Info.Id} descheduled in state {v.State}");
        }
    }

    private void OnWakeArrive(VcpuRuntime v)
    {
        if (v.State == VcpuState.Blocked && v.WakePending && !_tasks[v.Info.Task].Runnable && _tasks[v.Info.Task].Cpu < 0)
        {
            MakeRunnable(v.Info.Task, v.Cpu);
        }
    }

    private void OnHostTaskPhaseEnd(TaskRuntime t)
    {
        var cpu = _cpus[t.Cpu];
        long debt = TakeDebt(cpu, t.Id);
        if (debt > 0)
        {
            t.PhaseEnd = Now + debt;
            Engine.Arm(t.PhaseTimer, t.PhaseEnd, Kind(CoreEvent.HostTaskPhaseEnd), t.Id);
            return;
        }

        // The run phase is over: the task sleeps.
        t.RemainingNs = 0;
        _scheduler.Stopping(t.Id, cpu.Id, runnable: false);
        Deschedule(cpu, t, runnable: false);
        Engine.Arm(t.PhaseTimer, Now + t.Random!.Exponential(_hostTasks.SleepUs * 1000), Kind(CoreEvent.HostTaskWake), t.Id);
        TryDispatch(cpu);
    }

    private void OnHostTaskWake(TaskRuntime t)
    {
        t.RemainingNs = t.Random!.Exponential(_hostTasks.RunUs * 1000);
        MakeRunnable(t.Id, t.LastCpu);
    }

    private void AccountOnCpu(TaskRuntime t)
    {
        t.OnCpuNs += Now - t.OnCpuSince;
        t.OnCpuSince = Now;
    }

    private void OnWatchdog()
    {
        if (_watchdogNs <= 0)
        {
            return;
        }

        foreach (var t in _tasks)
        {
            long waited = Now - Math.Max(t.RunnableSince, _policySince);
            if (t.Runnable && t.Cpu < 0 && waited > _watchdogNs)
            {
                string why = $"task {t.Id} ({TaskName(t.Id)}) has been runnable for {waited / 1000} µs without running under policy '{_scheduler.Name}' (Scheduler:WatchdogUs = {_watchdogNs / 1000})";
                if (_fallback is null)
                {
                    Fail("watchdog: " + why);
                    return;
                }

                FallBack(t.Id, why);
                break;
            }
        }

        Engine.Schedule(Now + WatchdogPeriod, Kind(CoreEvent.Watchdog), 0);
    }

    /// <summary>
    /// sched_ext's ejection: the starving policy is dropped and the fallback takes every task over. Running
    /// tasks keep their pCPUs (the new policy sees them as running); queued ones are enqueued again, in task order.
    /// </summary>
    private void FallBack(int starved, string why)
    {
        string from = _scheduler.Name;
        _scheduler = _fallback!;
        _fallback = null;
        _policySince = Now;
        _schedulerContext = new SchedulerContext(this, _configuration.GetSection($"Scheduler:{_scheduler.Name}"), "scheduler-fallback");
        _scheduler.Initialize(_schedulerContext);
        SchedulerFallback = new Results.SchedulerFallbackResult(Now, starved, TaskName(starved), from, _scheduler.Name, why);
        foreach (var cpu in _cpus)
        {
            if (cpu.Current >= 0)
            {
                _scheduler.Running(cpu.Current, cpu.Id);
            }
        }

        foreach (var t in _tasks)
        {
            if (t.Runnable && t.Cpu < 0 && Enqueue(t, t.LastCpu) < 0)
            {
                return;
            }
        }

        foreach (var cpu in _cpus)
        {
            TryDispatch(cpu);
        }
    }

    internal Results.TaskResult TaskResult(int task)
    {
        var t = _tasks[task];
        string name = t.Vcpu >= 0 ? $"{_vms[t.Vm].Name}/vcpu{Vcpu(t.Vcpu).IndexInVm}" : $"host{t.Id - _vcpus.Length}";
        return new Results.TaskResult(
            t.Id, name, t.Vm, t.Vcpu >= 0 ? Vcpu(t.Vcpu).IndexInVm : -1, t.OnCpuNs, t.RunQueueWaitNs, t.MaxRunQueueWaitNs, t.ContextSwitches, t.Migrations, t.StolenNs);
    }

    /// <summary>"vCPU 3 of VM 'vm0'" or "host task 2".</summary>
    internal string TaskName(int task)
    {
        var t = _tasks[task];
        return t.Vcpu >= 0 ? $"vCPU {Vcpu(t.Vcpu).IndexInVm} of VM '{_vms[t.Vm].Name}'" : $"host task {t.Id - _vcpus.Length}";
    }

    private long WatchdogPeriod => Math.Max(1000, _watchdogNs / 4);
}

/// <summary>Queries the scheduler context forwards.</summary>
internal sealed partial class Machine
{
    /// <summary>When the current policy took over (the watchdog measures waits from then).</summary>
    private long _policySince;

    internal long DefaultSliceNs => _sliceDefaultNs;

    internal int VmOfTask(int task) => _tasks[task].Vm;

    internal int WeightOf(int task) => _tasks[task].Weight;

    internal bool IsAllowed(int task, int cpu) => _tasks[task].Allowed[cpu];

    internal bool IsIdle(int cpu) => _cpus[cpu].Current < 0 && _cpus[cpu].Incoming < 0;

    internal int TaskOrIncoming(int cpu) => _cpus[cpu].Current >= 0 ? _cpus[cpu].Current : _cpus[cpu].Incoming;
}
