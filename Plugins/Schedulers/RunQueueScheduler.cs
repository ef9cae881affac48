using Emu.Core.Contracts;

namespace Emu.Plugins.Schedulers;

/// <summary>
/// The mechanics every per-pCPU-run-queue policy shares, so each policy only says where a task goes and in
/// which order a queue gives tasks back:
/// <list type="bullet">
/// <item>idle tracking: a pCPU is idle from a <see cref="Dispatch"/> that found nothing until it runs a task;
/// the count lets the hot path skip scans when every pCPU is busy (the usual case when over-committed);</item>
/// <item>work conservation: an enqueue on a busy pCPU kicks an idle pCPU that may take the task (sched_ext's
/// scx_bpf_kick_cpu), and an idle pCPU with an empty queue steals from the others, scanning from a random one.</item>
/// </list>
/// </summary>
internal abstract class RunQueueScheduler : IScheduler
{
    private CpuBitmap _idle = new(0);
    private int _idleCount;
    private int _queued;
    private ISchedulerKick? _kick;

    protected ISchedulerContext Ctx { get; private set; } = null!;

    protected int CpuCount { get; private set; }

    public abstract string Name { get; }

    public virtual void Initialize(ISchedulerContext context)
    {
        Ctx = context;
        _kick = context as ISchedulerKick;
        CpuCount = context.Topology.Count;
        _idle = new CpuBitmap(CpuCount);
        _idle.AddAll();
        _idleCount = CpuCount;
    }

    public abstract int SelectCpu(int task, int prevCpu);

    public void Enqueue(int task, int cpu)
    {
        Push(task, cpu);
        _queued++;
        if (_idleCount > 0 && _kick is not null && !Ctx.IsIdle(cpu))
        {
            KickIdleFor(task, cpu);
        }
    }

    public int Dispatch(int cpu)
    {
        int task = Pop(cpu);
        if (task < 0 && _queued > 0)
        {
            task = Steal(cpu);
        }

        if (task >= 0)
        {
            _queued--;
            MarkBusy(cpu);
        }
        else if (!_idle.Contains(cpu))
        {
            _idle.Add(cpu);
            _idleCount++;
        }

        return task;
    }

    public virtual void Running(int task, int cpu) => MarkBusy(cpu);

    public virtual void Stopping(int task, int cpu, bool runnable)
    {
    }

    public virtual long TimeSliceNs(int task, int cpu) => Ctx.DefaultTimeSliceNs;

    /// <summary>Queues the task on the pCPU's run queue.</summary>
    protected abstract void Push(int task, int cpu);

    /// <summary>The next task of the pCPU's own queue, removed, or -1.</summary>
    protected abstract int Pop(int cpu);

    protected abstract int QueueLength(int cpu);

    /// <summary>Removes and returns a task of <paramref name="victim"/>'s queue that <paramref name="cpu"/> may pull, or -1.</summary>
    protected abstract int TakeFor(int victim, int cpu);

    /// <summary>May an idle <paramref name="cpu"/> pull the task from another queue? Affinity, and the policy's own rule.</summary>
    protected virtual bool MayPull(int task, int cpu) => Ctx.IsAllowed(task, cpu);

    protected bool AnyIdle => _idleCount > 0;

    /// <summary>True if nothing runs on the pCPU and nothing waits in its queue.</summary>
    protected bool IsFree(int cpu) => Ctx.IsIdle(cpu) && QueueLength(cpu) == 0;

    /// <summary>The first idle pCPU the task may use, scanning from <paramref name="start"/>, or -1.</summary>
    protected int IdleAllowed(int task, int start)
    {
        if (_idleCount == 0)
        {
            return -1;
        }

        // The idle pCPUs only, in the order a scan of every pCPU from start would meet them.
        for (int c = _idle.FirstCyclic(start); c >= 0; c = _idle.NextCyclic(c, start))
        {
            if (Ctx.IsAllowed(task, c) && IsFree(c))
            {
                return c;
            }
        }

        return -1;
    }

    /// <summary>A random pCPU the task may use: a random start, then the next allowed one.</summary>
    protected int RandomAllowed(int task)
    {
        int start = Ctx.Random.NextInt(CpuCount);
        for (int i = 0; i < CpuCount; i++)
        {
            int c = Wrap(start + i);
            if (Ctx.IsAllowed(task, c))
            {
                return c;
            }
        }

        return -1;
    }

    /// <summary>
    /// Where a task goes when no pCPU is free: its previous pCPU or a random allowed one, whichever queue is
    /// shorter (the power of two choices; O(1) however many pCPUs there are).
    /// </summary>
    protected int ShorterQueue(int task, int prevCpu)
    {
        int other = RandomAllowed(task);
        if (prevCpu < 0 || !Ctx.IsAllowed(task, prevCpu))
        {
            return other;
        }

        return QueueLength(other) < QueueLength(prevCpu) ? other : prevCpu;
    }

    /// <summary>The usual choice: the previous pCPU if free, else a free allowed one, else the shorter of two queues.</summary>
    protected int DefaultSelect(int task, int prevCpu)
    {
        if (prevCpu >= 0 && Ctx.IsAllowed(task, prevCpu) && IsFree(prevCpu))
        {
            return prevCpu;
        }

        int idle = IdleAllowed(task, prevCpu < 0 ? 0 : prevCpu);
        return idle >= 0 ? idle : ShorterQueue(task, prevCpu);
    }

    protected int Wrap(int c) => c >= CpuCount ? c - CpuCount : c;

    private void MarkBusy(int cpu)
    {
        if (_idle.Contains(cpu))
        {
            _idle.Remove(cpu);
            _idleCount--;
        }
    }

    /// <summary>The first idle pCPU after <paramref name="cpu"/> (wrapping around, not itself) that may take the task is kicked.</summary>
    private void KickIdleFor(int task, int cpu)
    {
        int origin = Wrap(cpu + 1); // cpu + 1 up to the end, then from 0: the cycle ends at cpu itself
        for (int c = _idle.FirstCyclic(origin); c >= 0 && c != cpu; c = _idle.NextCyclic(c, origin))
        {
            if (TryKick(task, c))
            {
                return;
            }
        }
    }

    private bool TryKick(int task, int cpu)
    {
        if (!MayPull(task, cpu) || !Ctx.IsIdle(cpu))
        {
            return false;
        }

        // Counted busy until its dispatch says otherwise, so the next enqueue kicks another pCPU.
        MarkBusy(cpu);
        _kick!.KickCpu(cpu);
        return true;
    }

    private int Steal(int cpu)
    {
        int start = Ctx.Random.NextInt(CpuCount);
        for (int i = 0; i < CpuCount; i++)
        {
            int victim = Wrap(start + i);
            if (victim != cpu && QueueLength(victim) > 0)
            {
                int task = TakeFor(victim, cpu);
                if (task >= 0)
                {
                    return task;
                }
            }
        }

        return -1;
    }
}

/// <summary>A <see cref="RunQueueScheduler"/> whose queues are first-in first-out.</summary>
internal abstract class FifoRunQueueScheduler : RunQueueScheduler
{
    private TaskQueue[] _queues = Array.Empty<TaskQueue>();

    public override void Initialize(ISchedulerContext context)
    {
        base.Initialize(context);
        // A queue never holds more than every task: where that costs at most 4 MiB in all, size each for it so that
        // no queue grows during the run; larger machines start at four times the average and grow rarely.
        _queues = new TaskQueue[CpuCount];
        bool roomForAll = (long)context.TaskCount * CpuCount <= (1 << 20);
        int capacity = roomForAll ? context.TaskCount : Math.Max(16, context.TaskCount / Math.Max(1, CpuCount) * 4);
        for (int c = 0; c < _queues.Length; c++)
        {
            _queues[c] = new TaskQueue(capacity);
        }
    }

    protected override void Push(int task, int cpu) => _queues[cpu].Enqueue(task);

    protected override int Pop(int cpu) => _queues[cpu].Dequeue();

    protected override int QueueLength(int cpu) => _queues[cpu].Count;

    protected override int TakeFor(int victim, int cpu) => _queues[victim].TakeFirst((this, cpu), static (s, t) => s.Item1.MayPull(t, s.cpu));
}
