namespace Emu.Host.Traces;

/// <summary>
/// Run and sleep phases of the host's other tasks, from sched_switch (<c>--host-tasks</c>). A run phase is the time on
/// a CPU from a wake-up to the next sleep (preemptions inside it do not end it, as in Emu's host tasks); a sleep
/// phase lasts from the switch-out in a sleeping state to the next switch-in (so it includes any run-queue wait).
/// The idle task, vCPU threads and the recorder (trace-cmd, perf) are left out.
/// </summary>
internal sealed class HostTaskRecorder
{
    private readonly Dictionary<int, TaskPhases> _tasks = new();

    public void OnSwitch(long t, int prevPid, bool prevSleeps, ReadOnlySpan<byte> prevComm, int nextPid, ReadOnlySpan<byte> nextComm)
    {
        if (Task(prevPid, prevComm) is { } prev)
        {
            if (prev.RunningSince >= 0)
            {
                prev.OnCpuNs += t - prev.RunningSince;
                prev.PhaseNs += t - prev.RunningSince;
                prev.RunningSince = -1;
            }

            if (prevSleeps)
            {
                if (prev.PhaseNs > 0)
                {
                    prev.RunPhases++;
                    prev.RunPhaseNs += prev.PhaseNs;
                    prev.PhaseNs = 0;
                }

                prev.SleepingSince = t;
            }
        }

        if (Task(nextPid, nextComm) is { } next)
        {
            next.RunningSince = t;
            if (next.SleepingSince >= 0)
            {
                next.SleepPhases++;
                next.SleepNs += t - next.SleepingSince;
                next.SleepingSince = -1;
            }
        }
    }

    /// <summary>What the host tasks did, leaving out the threads that turned out to be vCPUs.</summary>
    public HostTaskSummary Summarize(long end, ISet<int> vcpuPids)
    {
        var s = new HostTaskSummary();
        foreach (var (pid, task) in _tasks.OrderBy(p => p.Key))
        {
            if (vcpuPids.Contains(pid))
            {
                continue;
            }

            long onCpu = task.OnCpuNs + (task.RunningSince >= 0 ? end - task.RunningSince : 0);
            if (onCpu == 0 && task.SleepPhases == 0)
            {
                continue;
            }

            s.Tasks++;
            s.OnCpuNs += onCpu;
            s.RunPhases += task.RunPhases;
            s.RunPhaseNs += task.RunPhaseNs;
            s.SleepPhases += task.SleepPhases;
            s.SleepNs += task.SleepNs;
            if (s.Names.Count < 5)
            {
                s.Names.Add(task.Comm);
            }
        }

        return s;
    }

    private TaskPhases? Task(int pid, ReadOnlySpan<byte> comm)
    {
        if (pid <= 0)
        {
            return null; // the idle task (swapper/N)
        }

        if (_tasks.TryGetValue(pid, out var task))
        {
            return task.Ignored ? null : task;
        }

        string name = System.Text.Encoding.UTF8.GetString(comm);
        task = new TaskPhases(name) { Ignored = VcpuThread.VcpuIdOfComm(name) >= 0 || name is "trace-cmd" or "perf" };
        _tasks.Add(pid, task);
        return task.Ignored ? null : task;
    }

    private sealed class TaskPhases(string comm)
    {
        public string Comm { get; } = comm;

        public bool Ignored { get; init; }

        public long RunningSince { get; set; } = -1;

        public long SleepingSince { get; set; } = -1;

        public long OnCpuNs { get; set; }

        public long PhaseNs { get; set; }

        public long RunPhases { get; set; }

        public long RunPhaseNs { get; set; }

        public long SleepPhases { get; set; }

        public long SleepNs { get; set; }
    }
}
