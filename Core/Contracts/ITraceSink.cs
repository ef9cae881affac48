using Emu.Core.Model;

namespace Emu.Core.Contracts;

/// <summary>Observes what runs where and the instants that matter (doorbells, exits, wake-ups).</summary>
public interface ITraceSink
{
    /// <summary>
    /// The run begins: called once, before any other call, with the machine (read-only) a sink may size its tables by
    /// and name pCPUs, tasks and vCPUs after. A sink that does not need it ignores it.
    /// </summary>
    void Begin(IMachineView machine)
    {
    }

    /// <summary>The pCPU starts running <paramref name="task"/> (-1: idle) at <paramref name="time"/>.</summary>
    void TaskSwitched(long time, int pcpu, int task);

    /// <summary>A vCPU on the pCPU changes lifecycle state.</summary>
    void VcpuStateChanged(long time, int pcpu, int vcpu, VcpuState state);

    void Instant(long time, int pcpu, TraceKind kind, int vcpu, long argument);

    /// <summary>
    /// A counter changed: <paramref name="name"/> of <paramref name="id"/> (a pCPU's "run queue", a vCPU's "IsRunning") is
    /// now <paramref name="value"/>. A sink that draws no counters ignores it.
    /// </summary>
    void Counter(long time, string name, int id, long value)
    {
    }

    /// <summary>
    /// The running <paramref name="task"/> leaves <paramref name="pcpu"/>: still <paramref name="runnable"/> (its slice
    /// ended: preempted) or asleep (a blocked vCPU thread, a host task's sleep). The next <see cref="TaskSwitched"/>
    /// on that pCPU names who runs there after it. A sink that does not need it ignores it.
    /// </summary>
    void TaskStopped(long time, int pcpu, int task, bool runnable)
    {
    }

    /// <summary>
    /// <paramref name="task"/> became runnable (started or woken) and the policy queued it on <paramref name="targetCpu"/>
    /// (sched_wakeup's target_cpu). A sink that does not need it ignores it.
    /// </summary>
    void TaskWoken(long time, int task, int targetCpu)
    {
    }
}
