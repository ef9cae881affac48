namespace Emu.Core.Contracts;

/// <summary>
/// A placement and time-slicing policy, shaped like Linux sched_ext's ops. Core owns the mechanism (context
/// switch, KVM put/load, switch cost, slice timers); the policy only decides. Tasks are vCPU threads and host
/// tasks; a policy must honour <see cref="ISchedulerContext.IsAllowed"/>.
/// </summary>
public interface IScheduler
{
    string Name { get; }

    void Initialize(ISchedulerContext context);

    /// <summary>Picks the pCPU whose queue a waking task joins (ops.select_cpu).</summary>
    int SelectCpu(int task, int prevCpu);

    /// <summary>The task is runnable and queued for <paramref name="cpu"/> (ops.enqueue).</summary>
    void Enqueue(int task, int cpu);

    /// <summary>The next task for an idle or rescheduling pCPU, removed from its queue, or -1 to idle (ops.dispatch).</summary>
    int Dispatch(int cpu);

    /// <summary>The task starts running on the pCPU (ops.running).</summary>
    void Running(int task, int cpu);

    /// <summary>The task leaves the pCPU; <paramref name="runnable"/> is false when it sleeps (ops.stopping).</summary>
    void Stopping(int task, int cpu, bool runnable);

    /// <summary>How long the task may run before Core asks again (the slice).</summary>
    long TimeSliceNs(int task, int cpu);
}

/// <summary>What a scheduling policy may know of the machine.</summary>
public interface ISchedulerContext
{
    Topology.HostTopology Topology { get; }

    int TaskCount { get; }

    long Now { get; }

    /// <summary>The configured slice (Scheduler:TimeSliceUs) in nanoseconds.</summary>
    long DefaultTimeSliceNs { get; }

    /// <summary>The vCPU of the task, or -1 for a host task.</summary>
    int VcpuOfTask(int task);

    /// <summary>The VM of the task, or -1 for a host task.</summary>
    int VmOfTask(int task);

    /// <summary>The task's relative weight (1024 = nice 0).</summary>
    int WeightOf(int task);

    bool IsAllowed(int task, int cpu);

    /// <summary>True while nothing runs on the pCPU.</summary>
    bool IsIdle(int cpu);

    /// <summary>The task running on the pCPU or being switched in there, or -1.</summary>
    int TaskOn(int cpu);

    /// <summary>The policy's own random stream, derived from the scenario seed.</summary>
    Randomness.RandomStream Random { get; }
}

/// <summary>A scheduling policy by name; plugins register one per policy.</summary>
public interface ISchedulerFactory
{
    string Name { get; }

    /// <summary>
    /// Reads and checks the policy's own section (Scheduler:&lt;Name&gt;, possibly empty) once: returns the typed
    /// settings, or null with every problem (unknown keys, bad values) added to <paramref name="errors"/> naming its
    /// full key. Called for every policy whose section is present, selected or not, so one configuration can hold
    /// several policies' options (a sweep over Scheduler:Policy), and for the selected ones.
    /// </summary>
    ISchedulerSettings? Bind(Microsoft.Extensions.Configuration.IConfigurationSection section, ICollection<string> errors);

    /// <summary>
    /// The policy promises work conservation: no pCPU stays idle past the current instant while a queued task
    /// that may run there waits (an enqueue on a busy pCPU kicks an idle one; an idle pCPU steals). The
    /// conformance tests hold a policy to it.
    /// </summary>
    bool WorkConserving => false;
}

/// <summary>A policy's bound settings (from <see cref="ISchedulerFactory.Bind"/>): checked against the machine, then they create the policy.</summary>
public interface ISchedulerSettings
{
    /// <summary>Checks the policy against the machine before the run (the selected policy and fallback only); messages name keys.</summary>
    IEnumerable<string> Validate(SchedulerValidationContext context) => Array.Empty<string>();

    IScheduler Create();
}

/// <summary>The facts a policy needs to check itself against the machine.</summary>
public sealed record SchedulerValidationContext(Topology.HostTopology Topology, int VcpuCount, int HostTaskCount);
