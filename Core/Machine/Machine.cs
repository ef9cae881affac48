using Emu.Core.Contracts;
using Emu.Core.Engine;
using Emu.Core.Model;
using Emu.Core.Results;
using Emu.Core.Topology;

namespace Emu.Core.Machine;

/// <summary>
/// The simulated host, as a thin façade over its components (<see cref="MachineState"/> holds what they share):
/// the vCPU run loop, guest interrupts, the ICR-write path, the scheduling mechanism and its watchdog, host
/// tasks, time accounting and the run monitor. It builds them in order, starts the run and plays the roles
/// the contracts name: a read-only view for everyone, interrupt-target operations, event scheduling and the
/// run monitor for interrupt virtualization.
/// </summary>
internal sealed class Machine : IMachineView, IInterruptTargets, IEventScheduling, IRunMonitor, IVirtualizationContext
{
    private readonly MachineState _m;
    private readonly SchedulerWatchdog _watchdog;
    private readonly IReadOnlyList<DeviceInfo> _devices;

    /// <summary>Each VM's workload as its settings created it, before any layer wrapped it: the owner of what it holds (a replay's file).</summary>
    private readonly IWorkload[] _created;

    public Machine(Simulator engine, MachineSetup setup)
    {
        _m = new MachineState(engine, setup);
        _m.Accounting = new TimeAccounting(_m);
        _m.Monitor = new RunMonitor(_m);
        _m.RunLoop = new VcpuRunLoop(_m);
        _m.Interrupts = new GuestInterrupts(_m);
        _m.IcrWrites = new IcrWritePath(_m);
        _m.Scheduling = new SchedulingMechanism(_m, setup.Policy, setup.Scheduler.TimeSliceUs * 1000);
        _m.HostTasks = new HostTaskRunner(_m, setup.HostTasks);
        _m.Devices = new DeviceInterrupts(_m, setup.Devices) { Remapping = setup.Remapping };
        _devices = setup.Devices;
        if (setup.Simulation.SampleUs > 0)
        {
            _m.Sampler = new TimeSeriesSampler(_m, setup.Simulation.SampleUs * 1000, (setup.Simulation.WarmupUs + setup.Simulation.DurationUs) * 1000);
        }
        _watchdog = new SchedulerWatchdog(_m, setup.Scheduler.WatchdogUs * 1000, setup.FallbackPolicy);
        engine.SetMonitor(_m.Monitor);

        // Plugins see a complete machine: interrupt virtualization, the nested layer on it, then the workloads
        // (each VM's own, wrapped by the decorators' layers in registration order).
        _m.InterruptVirtualization = setup.InterruptVirtualization ?? new EmulatedInterruptController();
        _m.InterruptVirtualization.Initialize(this);
        setup.Nested?.Initialize(this);
        var workloads = new IWorkload[_m.Vms.Length];
        _created = new IWorkload[workloads.Length];
        for (int vm = 0; vm < workloads.Length; vm++)
        {
            var context = new WorkloadContext(_m, _m.Vms[vm]);
            workloads[vm] = setup.Workloads[vm].Create(context);
            _created[vm] = workloads[vm];
            foreach (var layer in setup.Layers)
            {
                if (layer.Vm == vm)
                {
                    workloads[vm] = layer.Layer.Wrap(context, workloads[vm]);
                }
            }
        }

        _m.Workloads = workloads;
    }

    /// <summary>Releases what the workloads hold (a replay's actions file); the run is over.</summary>
    internal void DisposeWorkloads()
    {
        foreach (var workload in _created)
        {
            (workload as IDisposable)?.Dispose();
        }
    }

    IMachineView IVirtualizationContext.Machine => this;

    IInterruptTargets IVirtualizationContext.Targets => this;

    IEventScheduling IVirtualizationContext.Events => this;

    IRunMonitor IVirtualizationContext.Monitor => this;

    IDeviceInterruptTargets IVirtualizationContext.Devices => _m.Devices;

    internal DeviceInterrupts DeviceInterrupts => _m.Devices;

    /// <summary>Simulation:SampleUs's samples so far (empty when off).</summary>
    internal IReadOnlyList<TimeSample> TimeSeries => (IReadOnlyList<TimeSample>?)_m.Sampler?.Samples ?? Array.Empty<TimeSample>();

    internal Simulator Engine => _m.Engine;

    internal SimulationCounters Counters => _m.Counters;

    internal RunMonitor Monitor => _m.Monitor;

    internal IReadOnlyList<IResultSection> ResultSections => _m.ResultSections;

    public long Now => _m.Now;

    public long Seed => _m.Seed;

    public HostTopology Topology => _m.Topology;

    public IReadOnlyList<VmInfo> Vms => _m.Vms;

    public IReadOnlyList<DeviceInfo> Devices => _devices;

    public int VcpuCount => _m.Vcpus.Length;

    public int TaskCount => _m.Tasks.Length;

    public CostModel Costs => _m.Costs;

    public bool CheckInvariants => _m.CheckInvariants;

    public string InterruptVirtualizationName => _m.InterruptVirtualization.Name;

    internal IInterruptVirtualization InterruptVirtualization => _m.InterruptVirtualization;

    /// <summary>The configured policy (the one a watchdog fallback, if any, replaced).</summary>
    public string SchedulerName => _m.Scheduling.PolicyName;

    /// <summary>Set when the watchdog ejected the policy and the fallback took over.</summary>
    public SchedulerFallbackResult? SchedulerFallback => _watchdog.Fallback;

    /// <summary>Set when an invariant broke or a plugin failed; the run stops.</summary>
    public string? Failure => _m.Failure;

    public List<LostWakeupRecord> LostWakeupRecords => _m.Monitor.LostWakeupRecords;

    public ref readonly VcpuInfo Vcpu(int vcpu) => ref _m.Vcpus[vcpu].Info;

    public VcpuState StateOf(int vcpu) => _m.Vcpus[vcpu].State;

    public bool IsLoaded(int vcpu) => _m.Vcpus[vcpu].Loaded;

    public bool IsBlocking(int vcpu) => _m.Vcpus[vcpu].Blocking;

    public int CpuOf(int vcpu) => _m.Vcpus[vcpu].Cpu;

    public int TaskOnCpu(int pcpu) => _m.Cpus[pcpu].Current;

    public int VcpuOnCpu(int pcpu)
    {
        int t = _m.Cpus[pcpu].Current;
        return t < 0 ? -1 : _m.Tasks[t].Vcpu;
    }

    public int VcpuOfTask(int task) => _m.Tasks[task].Vcpu;

    public ref readonly InterruptRequestRegister Irr(int vcpu) => ref _m.Vcpus[vcpu].Irr;

    public bool SetIrr(int target, byte vector) => _m.Interrupts.SetIrr(target, vector);

    public void AcceptInGuest(int target) => _m.Interrupts.AcceptInGuest(target);

    public void Kick(int target) => _m.Interrupts.Kick(target);

    public bool WakeUp(int target) => _m.Interrupts.WakeUp(target);

    public void DeliverSignal(int target, DeliveryMode mode) => _m.Interrupts.DeliverSignal(target, mode);

    public void CountDoorbellSent() => _m.Counters.DoorbellsSent++;

    public DoorbellLanding DoorbellArrived(int pcpu, int senderVm, int vcpu, long hostModeNs) => _m.Accounting.DoorbellArrived(pcpu, senderVm, vcpu, hostModeNs);

    public void ReportViolation(string message) => _m.Monitor.ReportViolation(message);

    public void ReportLostWakeup(int vcpu, string detail) => _m.Monitor.ReportLostWakeup(vcpu, detail);

    public void TraceInstant(int pcpu, TraceKind kind, int vcpu, long argument) => _m.Monitor.TraceInstant(pcpu, kind, vcpu, argument);

    public void TraceCounter(string name, int id, long value) => _m.Monitor.TraceCounter(name, id, value);

    public void AddInvariant(Action check) => _m.Monitor.AddInvariant(check);

    public int RegisterKind(string name, IEventHandler handler) => _m.Engine.RegisterKind(name, handler);

    public int AllocateTimer() => _m.Engine.AllocateTimer();

    public void Schedule(long time, int kind, int subject, int argument = 0) => _m.Engine.Schedule(time, kind, subject, argument);

    public void Arm(int timer, long time, int kind, int subject) => _m.Engine.Arm(timer, time, kind, subject);

    public void Cancel(int timer) => _m.Engine.Cancel(timer);

    public long Peek() => _m.Engine.Peek();

    /// <summary>Starts every task: vCPU threads become runnable, host tasks start in a random phase.</summary>
    public void Start(long warmupNs)
    {
        foreach (var sink in _m.TraceSinks)
        {
            sink.Begin(this);
        }

        _m.Scheduling.Start();
        foreach (var task in _m.Tasks)
        {
            if (task.Vcpu >= 0)
            {
                _m.Scheduling.MakeRunnable(task.Id, -1);
            }
            else
            {
                _m.HostTasks.Start(task);
            }
        }

        _m.Devices.Start();
        _m.Sampler?.Start();
        _watchdog.Start();
        _m.Accounting.Start(warmupNs);
    }

    /// <summary>Brings every time account (and the time series) up to now (before results are read).</summary>
    public void Settle()
    {
        _m.Accounting.Settle();
        _m.Sampler?.Flush();
    }

    /// <summary>Stops the run with a report that ends with the recent events.</summary>
    internal void Fail(string message) => _m.Monitor.Fail(message);

    internal TaskResult TaskResult(int task)
    {
        var t = _m.Tasks[task];
        string name = t.Vcpu >= 0 ? $"{_m.Vms[t.Vm].Name}/vcpu{Vcpu(t.Vcpu).IndexInVm}" : $"host{t.Id - _m.Vcpus.Length}";
        return new TaskResult(
            t.Id, name, t.Vm, t.Vcpu >= 0 ? Vcpu(t.Vcpu).IndexInVm : -1, t.OnCpuNs, t.RunQueueWaitNs, t.MaxRunQueueWaitNs, t.ContextSwitches, t.Migrations, t.StolenNs);
    }

    /// <summary>"vCPU 3 of VM 'vm0'" or "host task 2".</summary>
    internal string TaskName(int task) => _m.TaskName(task);
}
