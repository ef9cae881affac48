using Emu.Core.Configuration;
using Emu.Core.Contracts;
using Microsoft.Extensions.Configuration;

namespace ThirdPartyScheduler;

/// <summary>
/// Lottery scheduling (Waldspurger and Weihl, 1994): one global pool of runnable tasks; an idle pCPU draws a
/// winner among the tasks it may run, each holding tickets in proportion to its weight. Draws come from the
/// policy's seeded stream, so runs are reproducible. Scheduler:Lottery:SliceUs sets the slice.
/// </summary>
internal sealed class LotteryScheduler : IScheduler
{
    private readonly List<int> _pool = new();
    private readonly long _sliceNs;
    private ISchedulerContext _ctx = null!;

    public LotteryScheduler(LotterySettings settings)
    {
        _sliceNs = settings.SliceUs * 1000;
    }

    public string Name => "Lottery";

    public void Initialize(ISchedulerContext context)
    {
        _ctx = context;
        _pool.Capacity = context.TaskCount;
    }

    public int SelectCpu(int task, int prevCpu)
    {
        if (prevCpu >= 0 && _ctx.IsAllowed(task, prevCpu) && _ctx.IsIdle(prevCpu))
        {
            return prevCpu;
        }

        int any = -1;
        for (int c = 0; c < _ctx.Topology.Count; c++)
        {
            if (_ctx.IsAllowed(task, c))
            {
                if (_ctx.IsIdle(c))
                {
                    return c;
                }

                any = any < 0 ? c : any;
            }
        }

        return prevCpu >= 0 && _ctx.IsAllowed(task, prevCpu) ? prevCpu : any;
    }

    public void Enqueue(int task, int cpu) => _pool.Add(task);

    public int Dispatch(int cpu)
    {
        long tickets = 0;
        foreach (int t in _pool)
        {
            tickets += _ctx.IsAllowed(t, cpu) ? _ctx.WeightOf(t) : 0;
        }

        if (tickets == 0)
        {
            return -1;
        }

        long draw = (long)(_ctx.Random.NextDouble() * tickets);
        for (int i = 0; i < _pool.Count; i++)
        {
            int t = _pool[i];
            if (_ctx.IsAllowed(t, cpu) && (draw -= _ctx.WeightOf(t)) < 0)
            {
                _pool.RemoveAt(i);
                return t;
            }
        }

        throw new InvalidOperationException("the draw fell past the last ticket");
    }

    public void Running(int task, int cpu)
    {
    }

    public void Stopping(int task, int cpu, bool runnable)
    {
    }

    public long TimeSliceNs(int task, int cpu) => _sliceNs;
}

/// <summary>Lottery's options (Scheduler:Lottery:*), read once by the factory's Bind.</summary>
internal sealed record LotterySettings(long SliceUs) : ISchedulerSettings
{
    public IScheduler Create() => new LotteryScheduler(this);
}

internal sealed class LotterySchedulerFactory : ISchedulerFactory
{
    public string Name => "Lottery";

    public ISchedulerSettings? Bind(IConfigurationSection section, ICollection<string> errors)
    {
        var keys = new SectionKeys(section);
        var settings = new LotterySettings(keys.Long("SliceUs", 2000, 10, 1_000_000));
        keys.RejectUnknown();
        foreach (string e in keys.Errors)
        {
            errors.Add(e);
        }

        return keys.Errors.Count == 0 ? settings : null;
    }
}
