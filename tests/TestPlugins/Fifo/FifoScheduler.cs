using Emu.Core.Configuration;
using Emu.Core.Contracts;
using Microsoft.Extensions.Configuration;

namespace Emu.TestPlugins.Fifo;

/// <summary>
/// One global FIFO: a pCPU takes the oldest runnable task allowed on it. Scheduler:TestFifo:Starve names a
/// task it never dispatches, so tests can see the watchdog catch a policy that starves a task;
/// Scheduler:TestFifo:ThrowAtDispatch makes the Nth dispatch throw, as a buggy plugin would.
/// </summary>
internal sealed class FifoScheduler : IScheduler
{
    private readonly List<int> _queue = new();
    private readonly int _starve;
    private readonly long _throwAt;
    private ISchedulerContext _ctx = null!;
    private long _dispatches;

    public FifoScheduler(FifoSettings settings)
    {
        _starve = settings.Starve;
        _throwAt = settings.ThrowAtDispatch;
    }

    public string Name => "TestFifo";

    public void Initialize(ISchedulerContext context)
    {
        _ctx = context;
    }

    public int SelectCpu(int task, int prevCpu)
    {
        if (prevCpu >= 0 && _ctx.IsAllowed(task, prevCpu) && _ctx.IsIdle(prevCpu))
        {
            return prevCpu;
        }

        int fallback = -1;
        for (int c = 0; c < _ctx.Topology.Count; c++)
        {
            if (_ctx.IsAllowed(task, c))
            {
                if (_ctx.IsIdle(c))
                {
                    return c;
                }

                fallback = fallback < 0 ? c : fallback;
            }
        }

        return prevCpu >= 0 && _ctx.IsAllowed(task, prevCpu) ? prevCpu : fallback;
    }

    public void Enqueue(int task, int cpu) => _queue.Add(task);

    public int Dispatch(int cpu)
    {
        if (++_dispatches == _throwAt)
        {
            throw new InvalidOperationException($"TestFifo was asked to fail at dispatch {_throwAt}");
        }

        for (int i = 0; i < _queue.Count; i++)
        {
            int task = _queue[i];
            if (task != _starve && _ctx.IsAllowed(task, cpu))
            {
                _queue.RemoveAt(i);
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

/// <summary>TestFifo's options (Scheduler:TestFifo:*), read once: the task never dispatched (-1: none) and the failing dispatch (0: none).</summary>
internal sealed record FifoSettings(int Starve, long ThrowAtDispatch) : ISchedulerSettings
{
    public IScheduler Create() => new FifoScheduler(this);
}

internal sealed class FifoSchedulerFactory : ISchedulerFactory
{
    public string Name => "TestFifo";

    public ISchedulerSettings? Bind(IConfigurationSection section, ICollection<string> errors)
    {
        var keys = new SectionKeys(section);
        var settings = new FifoSettings((int)keys.Long("Starve", -1, -1, int.MaxValue), keys.Long("ThrowAtDispatch", 0, 0, long.MaxValue));
        keys.RejectUnknown();
        foreach (string e in keys.Errors)
        {
            errors.Add(e);
        }

        return keys.Errors.Count == 0 ? settings : null;
    }
}
