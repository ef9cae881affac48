using Emu.Core.Configuration;
using Emu.Core.Engine;

namespace Emu.Core.Machine;

/// <summary>
/// Host tasks (HostTasks section): per-CPU noise that alternates exponential run and sleep phases from its own
/// seeded stream, competing with vCPU threads for the pCPU it is bound to.
/// </summary>
internal sealed class HostTaskRunner : IEventHandler
{
    private enum Kind
    {
        HostTaskPhaseEnd,
        HostTaskWake,
        Count,
    }

    private readonly MachineState _m;
    private readonly HostTasksOptions _options;
    private readonly int _kindBase;

    public HostTaskRunner(MachineState m, HostTasksOptions options)
    {
        _m = m;
        _options = options;
        _kindBase = m.RegisterKinds<Kind>(this, (int)Kind.Count);
    }

    private long Now => _m.Engine.Now;

    /// <summary>Starts a host task in a random phase: running (runnable now) or asleep.</summary>
    public void Start(TaskRuntime task)
    {
        if (task.Random!.NextInt(2) == 0 || _options.SleepUs == 0)
        {
            task.RemainingNs = task.Random.Exponential(_options.RunUs * 1000);
            _m.Scheduling.MakeRunnable(task.Id, task.LastCpu);
        }
        else
        {
            _m.Engine.Arm(task.PhaseTimer, Now + task.Random.Exponential(_options.SleepUs * 1000), _kindBase + (int)Kind.HostTaskWake, task.Id);
        }
    }

    void IEventHandler.Handle(in SimEvent e)
    {
        var t = _m.Tasks[e.Subject];
        if (e.Kind - _kindBase == (int)Kind.HostTaskWake)
        {
            t.RemainingNs = t.Random!.Exponential(_options.RunUs * 1000);
            _m.Scheduling.MakeRunnable(t.Id, t.LastCpu);
        }
        else
        {
            OnPhaseEnd(t);
        }
    }

    /// <summary>The task got its pCPU: its run phase continues for what is left of it.</summary>
    public void Resume(CpuRuntime cpu, TaskRuntime t)
    {
        _m.Accounting.SetMode(cpu, CpuMode.HostTask);
        t.PhaseEnd = Now + t.RemainingNs;
        _m.Engine.Arm(t.PhaseTimer, t.PhaseEnd, _kindBase + (int)Kind.HostTaskPhaseEnd, t.Id);
    }

    /// <summary>The task loses its pCPU while running: what is left of its phase, plus stolen time, waits.</summary>
    public void Preempt(TaskRuntime t, long debt)
    {
        _m.Engine.Cancel(t.PhaseTimer);
        t.RemainingNs = Math.Max(0, t.PhaseEnd - Now) + debt;
    }

    private void OnPhaseEnd(TaskRuntime t)
    {
        var cpu = _m.Cpus[t.Cpu];
        long debt = _m.Accounting.TakeDebt(cpu, t.Id);
        if (debt > 0)
        {
            t.PhaseEnd = Now + debt;
            _m.Engine.Arm(t.PhaseTimer, t.PhaseEnd, _kindBase + (int)Kind.HostTaskPhaseEnd, t.Id);
            return;
        }

        // The run phase is over: the task sleeps.
        t.RemainingNs = 0;
        _m.Scheduling.Stop(cpu, t, runnable: false);
        _m.Engine.Arm(t.PhaseTimer, Now + t.Random!.Exponential(_options.SleepUs * 1000), _kindBase + (int)Kind.HostTaskWake, t.Id);
        _m.Scheduling.TryDispatch(cpu);
    }
}
