using Emu.Core.Model;

namespace Emu.Core.Contracts;

/// <summary>Observes what runs where and the instants that matter (doorbells, exits, wake-ups).</summary>
public interface ITraceSink
{
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
}
