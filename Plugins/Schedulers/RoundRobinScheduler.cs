using Emu.Core.Contracts;

namespace Emu.Plugins.Schedulers;

/// <summary>
/// Per-pCPU FIFO run queues with a fixed slice. A waking task goes to its previous pCPU if idle, else to an
/// idle allowed pCPU, else to the shorter of two queues (previous, random); an idle pCPU steals the first
/// allowed task from a random other queue.
/// </summary>
internal sealed class RoundRobinScheduler : IScheduler
{
    private const int StealAttempts = 4;
    private ISchedulerContext _ctx = null!;
    private TaskQueue[] _queues = Array.Empty<TaskQueue>();
    private ISchedulerKick? _kick;

    public string Name => "RoundRobin";

    public void Initialize(ISchedulerContext context)
    {
        _ctx = context;
        _kick = context as ISchedulerKick;
        _queues = new TaskQueue[context.Topology.Count];
        for (int c = 0; c < _queues.Length; c++)
        {
            _queues[c] = new TaskQueue();
        }
    }

    public int SelectCpu(int task, int prevCpu)
    {
        int n = _queues.Length;
        if (prevCpu >= 0 && _ctx.IsAllowed(task, prevCpu) && _ctx.IsIdle(prevCpu) && _queues[prevCpu].Count == 0)
        {
            return prevCpu;
        }

        int start = prevCpu < 0 ? 0 : prevCpu;
        int fallback = -1;
        for (int i = 0; i < n; i++)
        {
            int c = (start + i) % n;
            if (!_ctx.IsAllowed(task, c))
            {
                continue;
            }

            if (_ctx.IsIdle(c) && _queues[c].Count == 0)
            {
                return c;
            }

            if (fallback < 0 || _queues[c].Count < _queues[fallback].Count)
            {
                fallback = c;
            }
        }

        return fallback;
    }

    public void Enqueue(int task, int cpu)
    {
        _queues[cpu].Enqueue(task);
        if (!_ctx.IsIdle(cpu))
        {
            // Work conservation: an idle pCPU that may run the task should look at it now.
            for (int i = 0; i < StealAttempts; i++)
            {
                int c = _ctx.Random.NextInt(_queues.Length);
                if (c != cpu && _ctx.IsIdle(c) && _ctx.IsAllowed(task, c))
                {
                    _kick?.KickCpu(c);
                    break;
                }
            }
        }
    }

    public int Dispatch(int cpu)
    {
        int task = _queues[cpu].Dequeue();
        if (task >= 0)
        {
            return task;
        }

        for (int i = 0; i < StealAttempts && _queues.Length > 1; i++)
        {
            int victim = _ctx.Random.NextInt(_queues.Length);
            if (victim == cpu || _queues[victim].Count == 0)
            {
                continue;
            }

            task = _queues[victim].TakeFirst((_ctx, cpu), static (s, t) => s.Item1.IsAllowed(t, s.cpu));
            if (task >= 0)
            {
                return task;
            }
        }

        return -1;
    }

    public void Running(int task, int cpu)
    {
    }

    public void Stopping(int task, int cpu, bool runnable)
    {
    }

    public long TimeSliceNs(int task, int cpu) => _ctx.DefaultTimeSliceNs;
}

internal sealed class RoundRobinSchedulerFactory : ISchedulerFactory
{
    public string Name => "RoundRobin";

    public IEnumerable<string> Validate(SchedulerValidationContext context) => Array.Empty<string>();

    public IScheduler Create() => new RoundRobinScheduler();
}
