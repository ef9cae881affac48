using Emu.Core.Contracts;
using Emu.Core.Randomness;
using Emu.Core.Topology;
using Microsoft.Extensions.Configuration;

namespace Emu.Tests.Schedulers;

/// <summary>
/// Wraps a real policy and checks, on every call Core makes, what the conformance suite promises: a task runs
/// on one pCPU at a time; every choice honours the affinity the test expects (computed from the config by the
/// test, not read back from Core); a work-conserving policy never leaves a pCPU idle while a task it may run
/// waits (an enqueue on a busy pCPU kicks an idle one; an idle pCPU's dispatch finds any waiting task).
/// </summary>
internal sealed class CheckedScheduler : IScheduler, ISchedulerContext, ISchedulerKick
{
    private readonly IScheduler _inner;
    private readonly bool _workConserving;
    private readonly Func<int, int, bool> _expectedAllowed;
    private ISchedulerContext _ctx = null!;
    private int[] _runningOn = Array.Empty<int>();
    private bool[] _queued = Array.Empty<bool>();
    private bool[] _kickPending = Array.Empty<bool>();
    private bool _kickedDuringEnqueue;

    public CheckedScheduler(IScheduler inner, bool workConserving, Func<int, int, bool> expectedAllowed)
    {
        _inner = inner;
        _workConserving = workConserving;
        _expectedAllowed = expectedAllowed;
    }

    public List<string> Violations { get; } = new();

    public long Dispatches { get; private set; }

    public long Kicks { get; private set; }

    public string Name => _inner.Name;

    public void Initialize(ISchedulerContext context)
    {
        _ctx = context;
        _runningOn = Enumerable.Repeat(-1, context.TaskCount).ToArray();
        _queued = new bool[context.TaskCount];
        _kickPending = new bool[context.Topology.Count];
        _inner.Initialize(this);
    }

    public int SelectCpu(int task, int prevCpu)
    {
        int cpu = _inner.SelectCpu(task, prevCpu);
        if (cpu < 0 || cpu >= _ctx.Topology.Count || !_expectedAllowed(task, cpu))
        {
            Fail($"SelectCpu put task {task} on pCPU {cpu}, outside its affinity");
        }

        return cpu;
    }

    public void Enqueue(int task, int cpu)
    {
        if (_queued[task] || _runningOn[task] >= 0)
        {
            Fail($"task {task} enqueued while {(_queued[task] ? "already queued" : $"running on pCPU {_runningOn[task]}")}");
        }

        _queued[task] = true;
        _kickedDuringEnqueue = false;
        _inner.Enqueue(task, cpu);
        if (_workConserving && !_ctx.IsIdle(cpu) && !_kickedDuringEnqueue)
        {
            for (int c = 0; c < _ctx.Topology.Count; c++)
            {
                if (c != cpu && _ctx.IsIdle(c) && !_kickPending[c] && _expectedAllowed(task, c))
                {
                    Fail($"task {task} queued on busy pCPU {cpu} while pCPU {c}, idle and allowed, was not kicked");
                    break;
                }
            }
        }
    }

    public int Dispatch(int cpu)
    {
        _kickPending[cpu] = false;
        int task = _inner.Dispatch(cpu);
        Dispatches++;
        if (task >= 0)
        {
            if (!_queued[task])
            {
                Fail($"Dispatch on pCPU {cpu} returned task {task}, which was not queued");
            }

            if (!_expectedAllowed(task, cpu))
            {
                Fail($"Dispatch ran task {task} on pCPU {cpu}, outside its affinity");
            }

            _queued[task] = false;
        }
        else if (_workConserving)
        {
            for (int t = 0; t < _queued.Length; t++)
            {
                if (_queued[t] && _expectedAllowed(t, cpu))
                {
                    Fail($"pCPU {cpu} went idle while task {t}, allowed there, waited");
                    break;
                }
            }
        }

        return task;
    }

    public void Running(int task, int cpu)
    {
        if (_runningOn[task] >= 0 && _runningOn[task] != cpu)
        {
            Fail($"task {task} started on pCPU {cpu} while running on pCPU {_runningOn[task]}");
        }

        _runningOn[task] = cpu;
        _inner.Running(task, cpu);
    }

    public void Stopping(int task, int cpu, bool runnable)
    {
        if (_runningOn[task] != cpu)
        {
            Fail($"task {task} stopped on pCPU {cpu} but ran on {_runningOn[task]}");
        }

        _runningOn[task] = -1;
        _inner.Stopping(task, cpu, runnable);
    }

    public long TimeSliceNs(int task, int cpu)
    {
        long slice = _inner.TimeSliceNs(task, cpu);
        if (slice <= 0)
        {
            Fail($"slice {slice} ns for task {task}");
        }

        return slice;
    }

    // The context the inner policy sees: Core's, with kicks observed.
    public HostTopology Topology => _ctx.Topology;

    public int TaskCount => _ctx.TaskCount;

    public long Now => _ctx.Now;

    public long DefaultTimeSliceNs => _ctx.DefaultTimeSliceNs;

    public RandomStream Random => _ctx.Random;

    public int VcpuOfTask(int task) => _ctx.VcpuOfTask(task);

    public int VmOfTask(int task) => _ctx.VmOfTask(task);

    public int WeightOf(int task) => _ctx.WeightOf(task);

    public bool IsAllowed(int task, int cpu) => _ctx.IsAllowed(task, cpu);

    public bool IsIdle(int cpu) => _ctx.IsIdle(cpu);

    public int TaskOn(int cpu) => _ctx.TaskOn(cpu);

    public void KickCpu(int cpu)
    {
        Kicks++;
        _kickedDuringEnqueue = true;
        _kickPending[cpu] = true;
        (_ctx as ISchedulerKick)?.KickCpu(cpu);
    }

    private void Fail(string message)
    {
        if (Violations.Count < 20)
        {
            Violations.Add($"{_ctx.Now} ns: {message}");
        }
    }
}

/// <summary>Registers "Checked", a policy that wraps the one named by Scheduler:Checked:Policy in a <see cref="CheckedScheduler"/>.</summary>
internal sealed class CheckedSchedulerPlugin : IEmuPlugin, ISchedulerFactory
{
    private readonly Func<int, int, bool> _expectedAllowed;
    private IServiceProvider? _services;
    private IConfiguration? _config;

    public CheckedSchedulerPlugin(Func<int, int, bool> expectedAllowed)
    {
        _expectedAllowed = expectedAllowed;
    }

    public CheckedScheduler? Last { get; private set; }

    string IEmuPlugin.Name => "Checked";

    string ISchedulerFactory.Name => "Checked";

    public Version Version => new(1, 0);

    public Version ContractVersion => EmuContract.Version;

    public void ConfigureServices(Microsoft.Extensions.DependencyInjection.IServiceCollection services, IConfiguration configuration)
    {
        _config = configuration;
        Microsoft.Extensions.DependencyInjection.ServiceCollectionServiceExtensions.AddSingleton<ISchedulerFactory>(services, sp =>
        {
            _services = sp;
            return this;
        });
    }

    /// <summary>Binds the inner policy named by Scheduler:Checked:Policy, with its own section, and wraps its settings.</summary>
    public ISchedulerSettings? Bind(IConfigurationSection section, ICollection<string> errors)
    {
        string? name = section["Policy"];
        var inner = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetServices<ISchedulerFactory>(_services!)
            .SingleOrDefault(f => !ReferenceEquals(f, this) && f.Name == name);
        if (inner is null)
        {
            errors.Add($"{section.Path}:Policy: no policy '{name}' to check");
            return null;
        }

        // Bound here, once: the conformance scenario gives the inner policy no section, so Core binds none for it.
        var settings = inner.Bind(_config!.GetSection("Scheduler:" + inner.Name), errors);
        return settings is null ? null : new CheckedSettings(this, settings, inner.WorkConserving);
    }

    /// <summary>The inner policy's settings: checked against the machine as they are, then created inside a <see cref="CheckedScheduler"/>.</summary>
    private sealed class CheckedSettings(CheckedSchedulerPlugin plugin, ISchedulerSettings inner, bool workConserving) : ISchedulerSettings
    {
        public IEnumerable<string> Validate(SchedulerValidationContext context) => inner.Validate(context);

        public IScheduler Create() => plugin.Last = new CheckedScheduler(inner.Create(), workConserving, plugin._expectedAllowed);
    }
}
