using Emu.Core.Contracts;
using Emu.Core.Engine;
using Emu.Core.Results;

namespace Emu.Core.Machine;

/// <summary>
/// sched_ext's watchdog: a task runnable for longer than Scheduler:WatchdogUs without running means the policy
/// starves it. Without a fallback the run stops; with one, the policy is ejected and the fallback takes over.
/// </summary>
internal sealed class SchedulerWatchdog : IEventHandler
{
    private readonly MachineState _m;
    private readonly long _watchdogNs;
    private readonly int _kind;
    private IScheduler? _fallback;

    public SchedulerWatchdog(MachineState m, long watchdogNs, IScheduler? fallback)
    {
        _m = m;
        _watchdogNs = watchdogNs;
        _fallback = fallback;
        _kind = m.Engine.RegisterKind("Watchdog", this);
    }

    /// <summary>Set when the watchdog ejected the policy and the fallback took over.</summary>
    public SchedulerFallbackResult? Fallback { get; private set; }

    private long Period => Math.Max(1000, _watchdogNs / 4);

    public void Start()
    {
        if (_watchdogNs > 0)
        {
            _m.Engine.Schedule(_m.Now + Period, _kind, 0);
        }
    }

    void IEventHandler.Handle(in SimEvent e)
    {
        var scheduling = _m.Scheduling;
        foreach (var t in _m.Tasks)
        {
            long waited = _m.Now - Math.Max(t.RunnableSince, scheduling.PolicySince);
            if (t.Runnable && t.Cpu < 0 && waited > _watchdogNs)
            {
                string why = $"task {t.Id} ({_m.TaskName(t.Id)}) has been runnable for {waited / 1000} µs without running under policy '{scheduling.Policy.Name}' (Scheduler:WatchdogUs = {_watchdogNs / 1000})";
                if (_fallback is null)
                {
                    _m.Monitor.Fail("watchdog: " + why);
                    return;
                }

                string from = scheduling.Policy.Name;
                var fallback = _fallback;
                _fallback = null;
                Fallback = new SchedulerFallbackResult(_m.Now, t.Id, _m.TaskName(t.Id), from, fallback.Name, why);
                scheduling.Replace(fallback);
                break;
            }
        }

        _m.Engine.Schedule(_m.Now + Period, _kind, 0);
    }
}
