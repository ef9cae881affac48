using Emu.Core.Configuration;
using Emu.Core.Contracts;
using Microsoft.Extensions.Configuration;

namespace Emu.Plugins.Schedulers;

/// <summary>
/// CFS-like: per-pCPU queues ordered by virtual runtime, which advances by run time x 1024 / weight (so a
/// task of weight 2048 gets twice the CPU of one of 1024 on a shared pCPU). The slice is the task's weighted
/// share of the scheduling period (Scheduler:Fair:LatencyUs, stretched to MinGranularityUs per queued task),
/// at least MinGranularityUs. A task keeps its lag (vruntime minus the queue's minimum) across sleeps and
/// migrations; a waking task's lag is clamped to at least -LatencyUs/2, CFS's sleeper credit. Placement: the
/// previous pCPU if free, a free allowed pCPU, else the less loaded (by queued weight) of the previous and a
/// random one. Work-conserving like the others (<see cref="RunQueueScheduler"/>). Not modelled: wake-up
/// preemption (Core asks the policy at slice ends only) and periodic load balancing.
/// </summary>
internal sealed class FairScheduler : RunQueueScheduler
{
    private const long NiceZeroWeight = 1024;
    private readonly FairSettings _settings;
    private VruntimeHeap[] _queues = Array.Empty<VruntimeHeap>();
    private long[] _vruntime = Array.Empty<long>();
    private long[] _lag = Array.Empty<long>();
    private long[] _runStart = Array.Empty<long>();
    private bool[] _woke = Array.Empty<bool>();
    private long[] _minVruntime = Array.Empty<long>();
    private long[] _queuedWeight = Array.Empty<long>();
    private int[] _running = Array.Empty<int>();
    private long _sequence;

    public FairScheduler(FairSettings settings)
    {
        _settings = settings;
    }

    public override string Name => "Fair";

    /// <summary>A task's virtual runtime (for tests).</summary>
    internal long VruntimeOf(int task) => _vruntime[task];

    public override void Initialize(ISchedulerContext context)
    {
        base.Initialize(context);
        int tasks = context.TaskCount;
        _queues = new VruntimeHeap[CpuCount];
        for (int c = 0; c < CpuCount; c++)
        {
            _queues[c] = new VruntimeHeap(Math.Max(8, tasks / Math.Max(1, CpuCount) * 2));
        }

        _vruntime = new long[tasks];
        _lag = new long[tasks];
        _runStart = new long[tasks];
        Array.Fill(_runStart, -1);
        _woke = new bool[tasks];
        _minVruntime = new long[CpuCount];
        _queuedWeight = new long[CpuCount];
        _running = new int[CpuCount];
        Array.Fill(_running, -1);
    }

    public override int SelectCpu(int task, int prevCpu)
    {
        if (prevCpu >= 0 && Ctx.IsAllowed(task, prevCpu) && IsFree(prevCpu))
        {
            return prevCpu;
        }

        int idle = IdleAllowed(task, prevCpu < 0 ? 0 : prevCpu);
        if (idle >= 0)
        {
            return idle;
        }

        int other = RandomAllowed(task);
        return prevCpu < 0 || !Ctx.IsAllowed(task, prevCpu) || Load(other) < Load(prevCpu) ? other : prevCpu;
    }

    public override void Running(int task, int cpu)
    {
        base.Running(task, cpu);
        _running[cpu] = task;
        _runStart[task] = Ctx.Now;
        UpdateMinVruntime(cpu);
    }

    public override void Stopping(int task, int cpu, bool runnable)
    {
        if (_runStart[task] >= 0)
        {
            _vruntime[task] += (Ctx.Now - _runStart[task]) * NiceZeroWeight / Ctx.WeightOf(task);
            _runStart[task] = -1;
        }

        if (_running[cpu] == task)
        {
            _running[cpu] = -1;
        }

        UpdateMinVruntime(cpu);
        _lag[task] = _vruntime[task] - _minVruntime[cpu];
        _woke[task] = !runnable;
    }

    public override long TimeSliceNs(int task, int cpu)
    {
        long weight = Ctx.WeightOf(task);
        long queued = _queues[cpu].Count + 1;
        long period = Math.Max(_settings.LatencyNs, queued * _settings.MinGranularityNs);
        long slice = period * weight / (_queuedWeight[cpu] + weight);
        return Math.Max(slice, _settings.MinGranularityNs);
    }

    protected override void Push(int task, int cpu)
    {
        long lag = _lag[task];
        if (_woke[task])
        {
            lag = Math.Max(lag, -_settings.LatencyNs / 2);
            _woke[task] = false;
        }

        _vruntime[task] = _minVruntime[cpu] + lag;
        _queues[cpu].Push(task, _vruntime[task], _sequence++);
        _queuedWeight[cpu] += Ctx.WeightOf(task);
    }

    protected override int Pop(int cpu)
    {
        int task = _queues[cpu].PopMin();
        if (task >= 0)
        {
            _queuedWeight[cpu] -= Ctx.WeightOf(task);
        }

        return task;
    }

    protected override int QueueLength(int cpu) => _queues[cpu].Count;

    protected override int TakeFor(int victim, int cpu)
    {
        int task = _queues[victim].TakeBest((this, cpu), static (s, t) => s.Item1.MayPull(t, s.cpu));
        if (task >= 0)
        {
            _queuedWeight[victim] -= Ctx.WeightOf(task);
            _vruntime[task] = _minVruntime[cpu] + (_vruntime[task] - _minVruntime[victim]);
        }

        return task;
    }

    private long Load(int cpu) => _queuedWeight[cpu] + (_running[cpu] >= 0 ? Ctx.WeightOf(_running[cpu]) : 0);

    /// <summary>min_vruntime only moves forward: the smaller of the running task's and the queue's first.</summary>
    private void UpdateMinVruntime(int cpu)
    {
        long candidate = long.MaxValue;
        if (_running[cpu] >= 0)
        {
            candidate = _vruntime[_running[cpu]];
        }

        if (_queues[cpu].Count > 0)
        {
            candidate = Math.Min(candidate, _queues[cpu].MinKey);
        }

        if (candidate != long.MaxValue)
        {
            _minVruntime[cpu] = Math.Max(_minVruntime[cpu], candidate);
        }
    }
}

/// <summary>Fair's options (Scheduler:Fair:*), read once.</summary>
internal sealed record FairSettings(long LatencyNs, long MinGranularityNs) : ISchedulerSettings
{
    /// <summary>CFS's sysctl_sched_latency (6 ms) and sched_min_granularity (0.75 ms), unscaled.</summary>
    public static readonly FairSettings Defaults = new(6_000_000, 750_000);

    public IScheduler Create() => new FairScheduler(this);

    public static FairSettings Read(IConfigurationSection section, List<string> errors)
    {
        var keys = new SectionKeys(section);
        long latencyUs = keys.Long("LatencyUs", Defaults.LatencyNs / 1000, 1, 1_000_000);
        long minUs = keys.Long("MinGranularityUs", Defaults.MinGranularityNs / 1000, 1, 1_000_000);
        keys.RejectUnknown();
        errors.AddRange(keys.Errors);
        if (minUs > latencyUs)
        {
            errors.Add($"{section.Path}:MinGranularityUs: {minUs} must not exceed {section.Path}:LatencyUs ({latencyUs})");
        }

        return new FairSettings(latencyUs * 1000, minUs * 1000);
    }
}

internal sealed class FairSchedulerFactory : ISchedulerFactory
{
    public string Name => "Fair";

    public bool WorkConserving => true;

    public ISchedulerSettings? Bind(IConfigurationSection section, ICollection<string> errors) =>
        PolicyOptions.Bind(section, errors, FairSettings.Read);
}
