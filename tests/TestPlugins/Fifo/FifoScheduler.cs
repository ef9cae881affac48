using Emu.Core.Configuration;
using Emu.Core.Contracts;

namespace Emu.TestPlugins.Fifo;

/// <summary>
/// One global FIFO: a pCPU takes the oldest runnable task allowed on it. Scheduler:TestFifo:Starve names a
/// task it never dispatches, so tests can see the watchdog catch a policy that starves a task;
/// Scheduler:TestFifo:ThrowAtDispatch makes the Nth dispatch throw, as a buggy plugin would.
/// </summary>
internal sealed class FifoScheduler : IScheduler
{
    private readonly List<int> _queue = new();
    private ISchedulerContext _ctx = null!;
    private int _starve = -1;
    private long _throwAt;
    private long _dispatches;

    public string Name => "TestFifo";

    public void Initialize(ISchedulerContext context)
    {
        _ctx = context;
        var keys = new SectionKeys(context.PolicySection);
        _starve = (int)keys.Long("Starve", -1, -1, int.MaxValue);
        _throwAt = keys.Long("ThrowAtDispatch", 0, 0, long.MaxValue);
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

internal sealed class FifoSchedulerFactory : ISchedulerFactory
{
    public string Name => "TestFifo";

    public IEnumerable<string> Validate(SchedulerValidationContext context) => Array.Empty<string>();

    public IEnumerable<string> ValidateOptions(Microsoft.Extensions.Configuration.IConfigurationSection section)
    {
        var keys = new SectionKeys(section);
        keys.Long("Starve", -1, -1, int.MaxValue);
        keys.Long("ThrowAtDispatch", 0, 0, long.MaxValue);
        keys.RejectUnknown();
        return keys.Errors;
    }

    public IScheduler Create() => new FifoScheduler();
}
