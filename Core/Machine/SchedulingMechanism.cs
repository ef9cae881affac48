using Emu.Core.Contracts;
using Emu.Core.Engine;

namespace Emu.Core.Machine;

/// <summary>
/// The scheduling mechanism that a policy (<see cref="IScheduler"/>) drives, as sched_ext's core does: runnable
/// tasks go to the policy's queues, an idle pCPU asks it for work, context switches take their cost, slices
/// end. What a vCPU thread does when it leaves or takes a pCPU (KVM's put and load) is the run loop's.
/// </summary>
internal sealed class SchedulingMechanism : IEventHandler
{
    private enum Kind
    {
        SliceEnd,
        SwitchDone,
        Resched,
        Count,
    }

    private readonly MachineState _m;
    private readonly int _kindBase;
    private SchedulerContext _context;

    public SchedulingMechanism(MachineState m, IScheduler policy, long defaultSliceNs)
    {
        _m = m;
        Policy = policy;
        PolicyName = policy.Name;
        DefaultSliceNs = defaultSliceNs;
        _kindBase = m.RegisterKinds<Kind>(this, (int)Kind.Count);
        _context = new SchedulerContext(m, this, "scheduler");
    }

    /// <summary>The policy in charge (the fallback, once the watchdog ejected the configured one).</summary>
    public IScheduler Policy { get; private set; }

    /// <summary>The configured policy's name.</summary>
    public string PolicyName { get; }

    public long DefaultSliceNs { get; }

    /// <summary>When the current policy took over (the watchdog measures waits from then).</summary>
    public long PolicySince { get; private set; }

    private long Now => _m.Engine.Now;

    public void Start() => Policy.Initialize(_context);

    void IEventHandler.Handle(in SimEvent e)
    {
        var cpu = _m.Cpus[e.Subject];
        switch ((Kind)(e.Kind - _kindBase))
        {
            case Kind.SliceEnd: OnSliceEnd(cpu); break;
            case Kind.SwitchDone: OnSwitchDone(cpu); break;
            default: TryDispatch(cpu); break;
        }
    }

    /// <summary>The task became runnable (start, wake-up): the policy picks its queue, an idle pCPU takes it.</summary>
    public void MakeRunnable(int task, int prevCpu)
    {
        var t = _m.Tasks[task];
        t.Runnable = true;
        t.RunnableSince = Now;
        int cpu = Enqueue(t, prevCpu);
        if (cpu >= 0)
        {
            _m.Monitor.TraceWoken(task, cpu);
            _m.RunLoop.CutPoll(cpu); // kvm_vcpu_can_poll is false from now on for a vCPU polling there
            TryDispatch(_m.Cpus[cpu]);
        }
    }

    /// <summary>The policy picks the task's queue (ops.select_cpu, then ops.enqueue); -1 and a failure if it picked a pCPU the task may not use.</summary>
    public int Enqueue(TaskRuntime t, int prevCpu)
    {
        int cpu = Policy.SelectCpu(t.Id, prevCpu);
        if ((uint)cpu >= (uint)_m.Cpus.Length || !t.Allowed[cpu])
        {
            _m.Monitor.Fail($"scheduler '{Policy.Name}' selected pCPU {cpu} for task {t.Id}, which may not run there");
            return -1;
        }

        Queue(t, cpu);
        return cpu;
    }

    /// <summary>ops.enqueue, and the count of tasks waiting on that pCPU.</summary>
    private void Queue(TaskRuntime t, int cpu)
    {
        Dequeued(t);
        Policy.Enqueue(t.Id, cpu);
        t.QueuedOn = cpu;
        _m.Cpus[cpu].Queued++;
        if (_m.TraceSinks.Length > 0)
        {
            _m.Monitor.TraceCounter("run queue", cpu, _m.Cpus[cpu].Queued);
        }
    }

    /// <summary>The task left the queue it waited on (dispatched, or queued again elsewhere).</summary>
    private void Dequeued(TaskRuntime t)
    {
        if (t.QueuedOn >= 0)
        {
            _m.Cpus[t.QueuedOn].Queued--;
            if (_m.TraceSinks.Length > 0)
            {
                _m.Monitor.TraceCounter("run queue", t.QueuedOn, _m.Cpus[t.QueuedOn].Queued);
            }

            t.QueuedOn = -1;
        }
    }

    /// <summary>kvm_vcpu_can_poll: single_task_running() and no reschedule pending, i.e. nothing waits on the pCPU.</summary>
    public bool CanPoll(int cpu) => _m.Cpus[cpu].Queued == 0;

    /// <summary>An idle pCPU asks the policy for work.</summary>
    public void TryDispatch(CpuRuntime cpu)
    {
        if (cpu.Current >= 0 || cpu.Incoming >= 0 || _m.Failure is not null)
        {
            return;
        }

        int next = Policy.Dispatch(cpu.Id);
        if (next < 0)
        {
            _m.Accounting.SetMode(cpu, CpuMode.Idle);
            _m.Monitor.TraceSwitch(cpu.Id, -1);
            return;
        }

        SwitchIn(cpu, next);
    }

    /// <summary>Policy's scx_bpf_kick_cpu: an idle pCPU re-runs dispatch (at once, after the current event).</summary>
    public void KickCpu(int cpu)
    {
        if ((uint)cpu < (uint)_m.Cpus.Length && IsIdle(cpu))
        {
            _m.Engine.Schedule(Now, _kindBase + (int)Kind.Resched, cpu);
        }
    }

    public bool IsIdle(int cpu) => _m.Cpus[cpu].Current < 0 && _m.Cpus[cpu].Incoming < 0;

    public int TaskOrIncoming(int cpu) => _m.Cpus[cpu].Current >= 0 ? _m.Cpus[cpu].Current : _m.Cpus[cpu].Incoming;

    private void SwitchIn(CpuRuntime cpu, int task)
    {
        var t = _m.Tasks[task];
        if (!t.Runnable || t.Cpu >= 0 || !t.Allowed[cpu.Id])
        {
            _m.Monitor.Fail($"scheduler '{Policy.Name}' dispatched task {task} on pCPU {cpu.Id} but it is {(t.Cpu >= 0 ? $"running on pCPU {t.Cpu}" : !t.Runnable ? "not runnable" : "not allowed there")}");
            return;
        }

        t.Runnable = false;
        Dequeued(t);
        long waited = Now - t.RunnableSince;
        t.RunQueueWaitNs += waited;
        t.MaxRunQueueWaitNs = Math.Max(t.MaxRunQueueWaitNs, waited);
        if (t.Vcpu >= 0)
        {
            _m.Counters.Vcpus[t.Vcpu].RunQueueWaitNs += waited;
        }

        cpu.Incoming = task;
        t.Cpu = cpu.Id;
        _m.Accounting.SetMode(cpu, CpuMode.Host);
        _m.Engine.Arm(cpu.SwitchTimer, Now + _m.Costs.ContextSwitchNs, _kindBase + (int)Kind.SwitchDone, cpu.Id);
    }

    private void OnSwitchDone(CpuRuntime cpu)
    {
        int task = cpu.Incoming;
        cpu.Incoming = -1;
        cpu.Current = task;
        var t = _m.Tasks[task];
        if (t.LastCpu >= 0 && t.LastCpu != cpu.Id)
        {
            t.Migrations++;
        }

        t.LastCpu = cpu.Id;
        t.OnCpuSince = Now;
        t.ContextSwitches++;
        _m.Counters.ContextSwitches++;
        cpu.Counters.ContextSwitches++;
        _m.Monitor.TraceSwitch(cpu.Id, task);
        Policy.Running(task, cpu.Id);
        ArmSlice(cpu, task);

        if (t.Vcpu < 0)
        {
            _m.HostTasks.Resume(cpu, t);
        }
        else
        {
            _m.RunLoop.Resume(_m.Vcpus[t.Vcpu], cpu);
        }
    }

    private void ArmSlice(CpuRuntime cpu, int task)
    {
        long slice = Policy.TimeSliceNs(task, cpu.Id);
        _m.Engine.Arm(cpu.SliceTimer, Now + Math.Max(1, slice), _kindBase + (int)Kind.SliceEnd, cpu.Id);
    }

    private void OnSliceEnd(CpuRuntime cpu)
    {
        int task = cpu.Current;
        if (task < 0)
        {
            return;
        }

        // A halt-polling vCPU gets no extension: if another task takes the pCPU, its poll stops there.
        var t = _m.Tasks[task];
        Policy.Stopping(task, cpu.Id, runnable: true);
        t.Runnable = true;
        t.RunnableSince = Now;
        t.Cpu = -1;
        Queue(t, cpu.Id);
        int next = Policy.Dispatch(cpu.Id);
        if (next == task)
        {
            Dequeued(t);
            t.Runnable = false;
            t.Cpu = cpu.Id;
            Policy.Running(task, cpu.Id);
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

    /// <summary>The running task stops: the policy hears it (ops.stopping), the task leaves the pCPU.</summary>
    public void Stop(CpuRuntime cpu, TaskRuntime t, bool runnable)
    {
        Policy.Stopping(t.Id, cpu.Id, runnable);
        Deschedule(cpu, t, runnable);
    }

    /// <summary>Takes the running task off its pCPU, saving where it was (KVM's put for a loaded vCPU).</summary>
    private void Deschedule(CpuRuntime cpu, TaskRuntime t, bool runnable)
    {
        long debt = _m.Accounting.TakeDebt(cpu, t.Id, leaving: true);
        _m.Accounting.AccountOnCpu(t);

        _m.Engine.Cancel(cpu.SliceTimer);
        if (t.Vcpu >= 0)
        {
            _m.RunLoop.Preempt(_m.Vcpus[t.Vcpu], debt);
        }
        else if (runnable)
        {
            _m.HostTasks.Preempt(t, debt);
        }

        t.Cpu = -1;
        if (runnable)
        {
            t.Runnable = true;
            t.RunnableSince = Now;
        }

        cpu.Current = -1;
        _m.Accounting.SetMode(cpu, CpuMode.Host);
        _m.Monitor.TraceStopped(cpu.Id, t.Id, runnable);
    }

    /// <summary>
    /// sched_ext's ejection: <paramref name="fallback"/> takes every task over. Running tasks keep their pCPUs
    /// (the new policy sees them as running); queued ones are enqueued again, in task order.
    /// </summary>
    public void Replace(IScheduler fallback)
    {
        Policy = fallback;
        PolicySince = Now;
        _context = new SchedulerContext(_m, this, "scheduler-fallback");
        Policy.Initialize(_context);
        foreach (var cpu in _m.Cpus)
        {
            if (cpu.Current >= 0)
            {
                Policy.Running(cpu.Current, cpu.Id);
            }
        }

        foreach (var t in _m.Tasks)
        {
            if (t.Runnable && t.Cpu < 0 && Enqueue(t, t.LastCpu) < 0)
            {
                return;
            }
        }

        foreach (var cpu in _m.Cpus)
        {
            TryDispatch(cpu);
        }
    }
}
