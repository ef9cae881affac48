using Emu.Core.Configuration;
using Emu.Core.Contracts;
using Microsoft.Extensions.Configuration;

namespace Emu.Plugins.Schedulers;

/// <summary>
/// Keeps each VM on one NUMA node while it fits. At start, VMs in config order take the node with the most
/// room left (room = Scheduler:NumaLocal:MaxNodeLoad x the node's pCPUs the VM may use, minus the vCPUs already
/// placed there); a VM that fits no node spreads over all of them. A vCPU is queued and stolen only within its
/// VM's node, so the policy is not work-conserving across nodes (by design: it trades idle remote pCPUs for
/// locality). Host tasks and spread VMs use the default choice.
/// </summary>
internal sealed class NumaLocalScheduler : FifoRunQueueScheduler
{
    private readonly NumaLocalSettings _settings;
    private int[] _taskNode = Array.Empty<int>();
    private int[][] _nodeCpus = Array.Empty<int[]>();
    private int[] _cpuNode = Array.Empty<int>();

    public NumaLocalScheduler(NumaLocalSettings settings)
    {
        _settings = settings;
    }

    public override string Name => "NumaLocal";

    /// <summary>The node each VM was given, or -1 where it spread (for tests and the docs' examples).</summary>
    internal int[] VmNodes { get; private set; } = Array.Empty<int>();

    public override void Initialize(ISchedulerContext context)
    {
        base.Initialize(context);
        double maxLoad = _settings.MaxNodeLoad;
        var topology = context.Topology;
        _cpuNode = topology.Cpus.Select(c => c.NumaNode).ToArray();
        _nodeCpus = Enumerable.Range(0, topology.NumaNodes).Select(n => topology.Cpus.Where(c => c.NumaNode == n).Select(c => c.Id).ToArray()).ToArray();

        int vms = 0;
        for (int t = 0; t < context.TaskCount; t++)
        {
            vms = Math.Max(vms, context.VmOfTask(t) + 1);
        }

        VmNodes = new int[vms];
        var placed = new int[topology.NumaNodes];
        for (int vm = 0; vm < vms; vm++)
        {
            VmNodes[vm] = PickNode(context, vm, maxLoad, placed);
        }

        _taskNode = new int[context.TaskCount];
        for (int t = 0; t < context.TaskCount; t++)
        {
            int vm = context.VmOfTask(t);
            int node = vm < 0 ? -1 : VmNodes[vm];
            _taskNode[t] = node >= 0 && _nodeCpus[node].Any(c => context.IsAllowed(t, c)) ? node : -1;
        }
    }

    public override int SelectCpu(int task, int prevCpu)
    {
        int node = _taskNode[task];
        if (node < 0)
        {
            return DefaultSelect(task, prevCpu);
        }

        bool prevHere = prevCpu >= 0 && _cpuNode[prevCpu] == node && Ctx.IsAllowed(task, prevCpu);
        if (prevHere && IsFree(prevCpu))
        {
            return prevCpu;
        }

        var cpus = _nodeCpus[node];
        if (AnyIdle)
        {
            foreach (int c in cpus)
            {
                if (Ctx.IsAllowed(task, c) && IsFree(c))
                {
                    return c;
                }
            }
        }

        int start = Ctx.Random.NextInt(cpus.Length), other = -1;
        for (int i = 0; i < cpus.Length && other < 0; i++)
        {
            int c = cpus[(start + i) % cpus.Length];
            other = Ctx.IsAllowed(task, c) ? c : -1;
        }

        return !prevHere || QueueLength(other) < QueueLength(prevCpu) ? other : prevCpu;
    }

    protected override bool MayPull(int task, int cpu) =>
        Ctx.IsAllowed(task, cpu) && (_taskNode[task] < 0 || _cpuNode[cpu] == _taskNode[task]);

    private int PickNode(ISchedulerContext context, int vm, double maxLoad, int[] placed)
    {
        int size = 0, first = -1;
        for (int t = 0; t < context.TaskCount; t++)
        {
            if (context.VmOfTask(t) == vm)
            {
                size++;
                first = first < 0 ? t : first;
            }
        }

        int best = -1;
        double bestRoom = double.NegativeInfinity;
        for (int n = 0; n < _nodeCpus.Length && first >= 0; n++)
        {
            int usable = _nodeCpus[n].Count(c => context.IsAllowed(first, c));
            double room = (usable * maxLoad) - placed[n];
            if (usable > 0 && room >= size && room > bestRoom)
            {
                best = n;
                bestRoom = room;
            }
        }

        if (best >= 0)
        {
            placed[best] += size;
        }

        return best;
    }
}

/// <summary>NumaLocal's options (Scheduler:NumaLocal:*), read once.</summary>
internal sealed record NumaLocalSettings(double MaxNodeLoad) : ISchedulerSettings
{
    public IScheduler Create() => new NumaLocalScheduler(this);

    public static NumaLocalSettings Read(IConfigurationSection section, List<string> errors)
    {
        var keys = new SectionKeys(section);
        double maxLoad = keys.Double("MaxNodeLoad", 1.0, 0.01, 1000);
        keys.RejectUnknown();
        errors.AddRange(keys.Errors);
        return new NumaLocalSettings(maxLoad);
    }
}

internal sealed class NumaLocalSchedulerFactory : ISchedulerFactory
{
    public string Name => "NumaLocal";

    public ISchedulerSettings? Bind(IConfigurationSection section, ICollection<string> errors) =>
        PolicyOptions.Bind(section, errors, NumaLocalSettings.Read);
}
