using Emu.Core.Contracts;
using Microsoft.Extensions.Configuration;

namespace Emu.Plugins.Schedulers;

/// <summary>
/// 1:1 affinity: every vCPU thread owns one pCPU (the first free one its VM may use, in vCPU order); host
/// tasks stay on their own pCPU. Each pCPU time-slices what is bound to it round robin.
/// </summary>
internal sealed class PinnedScheduler : IScheduler
{
    private ISchedulerContext _ctx = null!;
    private int[] _home = Array.Empty<int>();
    private TaskQueue[] _queues = Array.Empty<TaskQueue>();

    public string Name => "Pinned";

    public void Initialize(ISchedulerContext context)
    {
        _ctx = context;
        int cpus = context.Topology.Count;
        _queues = new TaskQueue[cpus];
        for (int c = 0; c < cpus; c++)
        {
            _queues[c] = new TaskQueue();
        }

        _home = Placement(context, cpus);
    }

    /// <summary>
    /// The pCPU of every task. A vCPU whose affinity leaves it no free pCPU shares the allowed pCPU with the
    /// fewest vCPUs already bound (the first such), and the two time-slice there.
    /// </summary>
    internal static int[] Placement(ISchedulerContext ctx, int cpus)
    {
        var home = new int[ctx.TaskCount];
        var bound = new int[cpus];
        for (int t = 0; t < ctx.TaskCount; t++)
        {
            home[t] = -1;
            bool vcpu = ctx.VcpuOfTask(t) >= 0;
            for (int c = 0; c < cpus; c++)
            {
                if (ctx.IsAllowed(t, c) && (home[t] < 0 || (vcpu && bound[c] < bound[home[t]])))
                {
                    home[t] = c;
                    if (!vcpu || bound[c] == 0)
                    {
                        break;
                    }
                }
            }

            if (vcpu && home[t] >= 0)
            {
                bound[home[t]]++;
            }
        }

        return home;
    }

    public int SelectCpu(int task, int prevCpu) => _home[task];

    public void Enqueue(int task, int cpu) => _queues[_home[task]].Enqueue(task);

    public int Dispatch(int cpu) => _queues[cpu].Dequeue();

    public void Running(int task, int cpu)
    {
    }

    public void Stopping(int task, int cpu, bool runnable)
    {
    }

    public long TimeSliceNs(int task, int cpu) => _ctx.DefaultTimeSliceNs;
}

internal sealed class PinnedSchedulerFactory : ISchedulerFactory
{
    public string Name => "Pinned";

    public ISchedulerSettings? Bind(IConfigurationSection section, ICollection<string> errors) =>
        PolicyOptions.NoKeys(section, errors, new PinnedSettings());
}

/// <summary>Pinned has no options; it only needs a pCPU per vCPU.</summary>
internal sealed class PinnedSettings : ISchedulerSettings
{
    public IEnumerable<string> Validate(SchedulerValidationContext context)
    {
        if (context.VcpuCount > context.Topology.Count)
        {
            yield return $"Scheduler:Policy: Pinned needs at least as many pCPUs as vCPUs ({context.VcpuCount} vCPUs, {context.Topology.Count} pCPUs); use RoundRobin or Fair to over-commit";
        }
    }

    public IScheduler Create() => new PinnedScheduler();
}
