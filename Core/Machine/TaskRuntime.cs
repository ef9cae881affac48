using Emu.Core.Randomness;

namespace Emu.Core.Machine;

/// <summary>A schedulable thread: a vCPU's, or a host task's.</summary>
internal sealed class TaskRuntime
{
    public TaskRuntime(int id, int vcpu, int vm, int weight, bool[] allowed)
    {
        Id = id;
        Vcpu = vcpu;
        Vm = vm;
        Weight = weight;
        Allowed = allowed;
    }

    public readonly int Id;

    /// <summary>The vCPU this thread runs, or -1 for a host task.</summary>
    public readonly int Vcpu;
    public readonly int Vm;
    public readonly int Weight;
    public readonly bool[] Allowed;

    /// <summary>The pCPU it runs on, or -1.</summary>
    public int Cpu = -1;
    public int LastCpu = -1;
    public bool Runnable;

    /// <summary>The pCPU whose queue the policy put it on while it waits (select_cpu's answer), or -1.</summary>
    public int QueuedOn = -1;

    // Host tasks only.
    public int PhaseTimer = -1;
    public long RemainingNs;
    public long PhaseEnd;
    public RandomStream? Random;

    // Per-task results (reset at the end of the warm-up).
    public long OnCpuSince;
    public long OnCpuNs;
    public long StolenNs;
    public long RunQueueWaitNs;
    public long MaxRunQueueWaitNs;
    public long ContextSwitches;
    public long Migrations;

    // Declared last of the longs, which the runtime lays out in order before the ints: next to the ids, the pCPU and
    // Runnable, which a wake-up reads with it, in one cache line (issue 19).
    public long RunnableSince;
}
