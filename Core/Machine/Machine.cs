using Microsoft.Extensions.Configuration;
using Emu.Core.Configuration;
using Emu.Core.Contracts;
using Emu.Core.Engine;
using Emu.Core.Model;
using Emu.Core.Randomness;
using Emu.Core.Results;
using Emu.Core.Topology;

namespace Emu.Core.Machine;

/// <summary>
/// The simulated host: pCPUs, tasks, VMs and vCPUs, and KVM's generic vCPU run loop (exits, halt-polling,
/// blocking, userspace exits) and context switches. Interrupt delivery and scheduling policy are plugins.
/// Split across partial files by concern: Guest, Exits, Scheduling, Accounting, Invariants.
/// </summary>
internal sealed partial class Machine : IMachine, IEventHandler
{
    private enum CoreEvent
    {
        VcpuPhaseEnd,
        LapicTimer,
        WakeArrive,
        SpinResume,
        SliceEnd,
        SwitchDone,
        HostTaskPhaseEnd,
        HostTaskWake,
        WarmupEnd,
        Resched,
        Watchdog,
        IcrExitHandler,
        Count,
    }

    private readonly int _kindBase;
    private readonly VcpuRuntime[] _vcpus;
    private readonly TaskRuntime[] _tasks;
    private readonly CpuRuntime[] _cpus;
    private readonly VmInfo[] _vms;
    private readonly IWorkload[] _workloads;
    private readonly IVcpuLifecycleHooks[] _hooks;
    private readonly ITraceSink[] _traceSinks;
    private readonly IConfiguration _configuration;
    private readonly string _policyName;
    private IScheduler _scheduler;
    private SchedulerContext _schedulerContext;
    private IScheduler? _fallback;
    private readonly IInterruptVirtualization _iv;
    private readonly List<Action> _invariants = new();
    private readonly long _sliceDefaultNs;
    private readonly long _watchdogNs;
    private readonly HostTasksOptions _hostTasks;

    public Machine(Simulator engine, MachineSetup setup)
    {
        Engine = engine;
        Topology = setup.Topology;
        Costs = setup.Costs;
        CheckInvariants = setup.Simulation.CheckInvariants;
        _hostTasks = setup.HostTasks;
        _sliceDefaultNs = setup.Scheduler.TimeSliceUs * 1000;
        _watchdogNs = setup.Scheduler.WatchdogUs * 1000;
        _hooks = setup.Hooks.ToArray();
        _traceSinks = setup.TraceSinks.ToArray();
        _scheduler = setup.Policy;
        _policyName = setup.Policy.Name;
        _fallback = setup.FallbackPolicy;
        _configuration = setup.Configuration;
        Seed = setup.Simulation.Seed;

        _kindBase = -1;
        for (int k = 0; k < (int)CoreEvent.Count; k++)
        {
            int kind = engine.RegisterKind(((CoreEvent)k).ToString(), this);
            if (k == 0)
            {
                _kindBase = kind;
            }
        }

        _cpus = new CpuRuntime[Topology.Count];
        for (int p = 0; p < _cpus.Length; p++)
        {
            _cpus[p] = new CpuRuntime(p, Topology.Cpus[p].ApicId, engine.AllocateTimer(), engine.AllocateTimer());
        }

        // vCPUs and their threads first, then host tasks (DESIGN: tasks are vCPU threads and host tasks).
        int vcpuCount = setup.Vms.Sum(v => v.Vcpus);
        int hostTaskCount = setup.HostTasks.PerCpu * _cpus.Length;
        _vms = new VmInfo[setup.Vms.Count];
        _vcpus = new VcpuRuntime[vcpuCount];
        _tasks = new TaskRuntime[vcpuCount + hostTaskCount];
        int next = 0;
        for (int vm = 0; vm < setup.Vms.Count; vm++)
        {
            var o = setup.Vms[vm];
            _vms[vm] = new VmInfo(vm, o.Name, next, o.Vcpus);
            for (int i = 0; i < o.Vcpus; i++, next++)
            {
                var info = VcpuInfo.ForGuest(next, vm, i, o.Vcpus, next);
                _vcpus[next] = new VcpuRuntime(info, engine.AllocateTimer(), engine.AllocateTimer());
                _tasks[next] = new TaskRuntime(next, next, vm, o.Weight, AllowedSet(o.VcpuCpus.TryGetValue(i, out var own) ? own : o.Cpus));
            }
        }

        for (int h = 0; h < hostTaskCount; h++)
        {
            int task = vcpuCount + h;
            int cpu = h % _cpus.Length;
            var allowed = new bool[_cpus.Length];
            allowed[cpu] = true; // per-CPU host tasks, like kernel threads bound to their CPU
            _tasks[task] = new TaskRuntime(task, -1, -1, setup.HostTasks.Weight, allowed)
            {
                PhaseTimer = engine.AllocateTimer(),
                Random = RandomStream.Derive(Seed, "host-task", h),
                LastCpu = cpu,
            };
        }

        Counters = new SimulationCounters(vcpuCount, _cpus.Length, _vms.Length);
        _schedulerContext = new SchedulerContext(this, setup.Configuration.GetSection($"Scheduler:{setup.Policy.Name}"), "scheduler");

        _iv = setup.InterruptVirtualization ?? new EmulatedInterruptController();
        _iv.Initialize(this);

        _workloads = new IWorkload[_vms.Length];
        for (int vm = 0; vm < _vms.Length; vm++)
        {
            string path = $"Vms:{vm}:Workload";
            var section = setup.Configuration.GetSection(path);
            string kind = setup.Vms[vm].Workload.Kind;
            var factory = setup.WorkloadFactories.First(f => string.Equals(f.Kind, kind, StringComparison.OrdinalIgnoreCase));
            _workloads[vm] = factory.Create(new WorkloadContext(this, _vms[vm]), section);
            var nested = setup.Configuration.GetSection($"Vms:{vm}:Nested");
            if (setup.Nested is not null && nested.GetChildren().Any())
            {
                _workloads[vm] = setup.Nested.WrapWorkload(_vms[vm], _workloads[vm], nested, setup.WorkloadFactories);
            }
        }
    }

    public Simulator Engine { get; }

    public long Now => Engine.Now;

    public long Seed { get; }

    public HostTopology Topology { get; }

    public IReadOnlyList<VmInfo> Vms => _vms;

    public int VcpuCount => _vcpus.Length;

    public int TaskCount => _tasks.Length;

    public SimulationCounters Counters { get; }

    public CostModel Costs { get; }

    public bool CheckInvariants { get; }

    public string InterruptVirtualizationName => _iv.Name;

    internal IInterruptVirtualization InterruptVirtualization => _iv;

    /// <summary>The configured policy (the one a watchdog fallback, if any, replaced).</summary>
    public string SchedulerName => _policyName;

    /// <summary>Set when the watchdog ejected the policy and the fallback took over.</summary>
    public Results.SchedulerFallbackResult? SchedulerFallback { get; private set; }

    /// <summary>Set when an invariant broke or a plugin failed; the run stops.</summary>
    public string? Failure { get; private set; }

    public List<LostWakeupRecord> LostWakeupRecords { get; } = new();

    public ref readonly VcpuInfo Vcpu(int vcpu) => ref _vcpus[vcpu].Info;

    public VcpuState StateOf(int vcpu) => _vcpus[vcpu].State;

    public bool IsLoaded(int vcpu) => _vcpus[vcpu].Loaded;

    public bool IsBlocking(int vcpu) => _vcpus[vcpu].Blocking;

    public int CpuOf(int vcpu) => _vcpus[vcpu].Cpu;

    public int TaskOnCpu(int pcpu) => _cpus[pcpu].Current;

    public int VcpuOnCpu(int pcpu)
    {
        int t = _cpus[pcpu].Current;
        return t < 0 ? -1 : _tasks[t].Vcpu;
    }

    public int VcpuOfTask(int task) => _tasks[task].Vcpu;

    public ref readonly InterruptRequestRegister Irr(int vcpu) => ref _vcpus[vcpu].Irr;

    public void AddInvariant(Action check) => _invariants.Add(check);

    /// <summary>Starts every task: vCPU threads become runnable, host tasks start in a random phase.</summary>
    public void Start(long warmupNs)
    {
        _scheduler.Initialize(_schedulerContext);
        for (int t = 0; t < _tasks.Length; t++)
        {
            var task = _tasks[t];
            if (task.Vcpu >= 0)
            {
                MakeRunnable(t, -1);
            }
            else if (task.Random!.NextInt(2) == 0 || _hostTasks.SleepUs == 0)
            {
                task.RemainingNs = task.Random.Exponential(_hostTasks.RunUs * 1000);
                MakeRunnable(t, task.LastCpu);
            }
            else
            {
                Engine.Arm(task.PhaseTimer, Now + task.Random.Exponential(_hostTasks.SleepUs * 1000), Kind(CoreEvent.HostTaskWake), t);
            }
        }

        if (_watchdogNs > 0)
        {
            Engine.Schedule(Now + WatchdogPeriod, Kind(CoreEvent.Watchdog), 0);
        }

        if (warmupNs > 0)
        {
            Engine.Schedule(warmupNs, Kind(CoreEvent.WarmupEnd), 0);
        }

        Engine.AfterEvent = AfterEvent;
    }

    /// <summary>Brings every time account up to now (before results are read).</summary>
    public void Settle()
    {
        foreach (var cpu in _cpus)
        {
            SetMode(cpu, cpu.Mode);
        }

        foreach (var v in _vcpus)
        {
            AccountVcpu(v, v.State);
        }

        foreach (var cpu in _cpus)
        {
            if (cpu.Current >= 0)
            {
                AccountOnCpu(_tasks[cpu.Current]);
            }
        }
    }

    public void Handle(in SimEvent e)
    {
        switch ((CoreEvent)(e.Kind - _kindBase))
        {
            case CoreEvent.VcpuPhaseEnd: OnVcpuPhaseEnd(_vcpus[e.Subject]); break;
            case CoreEvent.LapicTimer: OnLapicTimer(e.Subject); break;
            case CoreEvent.WakeArrive: OnWakeArrive(_vcpus[e.Subject]); break;
            case CoreEvent.SpinResume: OnSpinResume(_vcpus[e.Subject]); break;
            case CoreEvent.SliceEnd: OnSliceEnd(_cpus[e.Subject]); break;
            case CoreEvent.SwitchDone: OnSwitchDone(_cpus[e.Subject]); break;
            case CoreEvent.HostTaskPhaseEnd: OnHostTaskPhaseEnd(_tasks[e.Subject]); break;
            case CoreEvent.HostTaskWake: OnHostTaskWake(_tasks[e.Subject]); break;
            case CoreEvent.WarmupEnd: OnWarmupEnd(); break;
            case CoreEvent.Resched: TryDispatch(_cpus[e.Subject]); break;
            case CoreEvent.Watchdog: OnWatchdog(); break;
            case CoreEvent.IcrExitHandler: OnIcrExitHandler(_vcpus[e.Subject]); break;
            default: throw new InvalidOperationException($"unknown core event {e.Kind}");
        }
    }

    private int Kind(CoreEvent e) => _kindBase + (int)e;

    private bool[] AllowedSet(List<int> cpus)
    {
        var allowed = new bool[_cpus.Length];
        if (cpus.Count == 0)
        {
            Array.Fill(allowed, true);
        }
        else
        {
            foreach (int c in cpus)
            {
                allowed[c] = true;
            }
        }

        return allowed;
    }

    private void OnWarmupEnd()
    {
        Settle();
        Counters.Reset();
        foreach (var t in _tasks)
        {
            t.OnCpuNs = t.StolenNs = t.RunQueueWaitNs = t.MaxRunQueueWaitNs = t.ContextSwitches = t.Migrations = 0;
        }
    }
}

/// <summary>A lost wake-up as reported: the vCPU, when, and what the interrupt virtualization knew.</summary>
public sealed record LostWakeupRecord(int Vcpu, long TimeNs, string Detail);
