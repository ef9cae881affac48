using Emu.Core.Contracts;
using Emu.Core.Engine;
using Emu.Core.Model;
using Emu.Core.Randomness;
using Emu.Core.Results;
using Emu.Core.Topology;

namespace Emu.Core.Machine;

/// <summary>
/// The state every component of the machine shares: the engine, the host, the guests, the per-pCPU, per-task and
/// per-vCPU runtime arrays (preallocated, indexed by id), the counters, and the components themselves, so that
/// one calls another directly (sealed classes: no virtual dispatch on the hot path).
/// </summary>
internal sealed class MachineState
{
    public MachineState(Simulator engine, MachineSetup setup)
    {
        Engine = engine;
        Topology = setup.Topology;
        Costs = setup.Costs;
        Kvm = setup.Kvm;
        HaltPolls = new HaltPollWindow(setup.Kvm);
        Seed = setup.Simulation.Seed;
        CheckInvariants = setup.Simulation.CheckInvariants;
        Hooks = setup.Hooks.ToArray();
        TraceSinks = setup.TraceSinks.ToArray();
        ResultSections = setup.ResultSections.ToArray();

        // Each pCPU's counters, and each vCPU's counters and thread, are allocated next to its runtime state: one
        // event reads and writes all of them, and at thousands of vCPUs their cache lines and pages are what it
        // costs (issue 19). The GC's compaction keeps the allocation order. The vCPUs' pending vectors (3 KiB each, a
        // line or two of them in use) are not among them but GuestInterrupts' one array: between the groups they
        // spread each vCPU's hot state over a page of its own (pinned-4096 missed a 2 MB cache half again as often).
        Cpus = new CpuRuntime[Topology.Count];
        var pcpuCounters = new PcpuCounters[Cpus.Length];
        for (int p = 0; p < Cpus.Length; p++)
        {
            pcpuCounters[p] = new PcpuCounters();
            Cpus[p] = new CpuRuntime(p, engine.AllocateTimer(), engine.AllocateTimer(), pcpuCounters[p]);
        }

        // vCPUs and their threads first, then host tasks (DESIGN: tasks are vCPU threads and host tasks).
        int vcpuCount = 0;
        foreach (var vm in setup.Vms)
        {
            vcpuCount += vm.Vcpus;
        }

        int hostTaskCount = setup.HostTasks.PerCpu * Cpus.Length;
        Vms = new VmInfo[setup.Vms.Count];
        Vcpus = new VcpuRuntime[vcpuCount];
        Tasks = new TaskRuntime[vcpuCount + hostTaskCount];
        var vcpuCounters = new VcpuCounters[vcpuCount];
        int next = 0;
        for (int vm = 0; vm < setup.Vms.Count; vm++)
        {
            var o = setup.Vms[vm];
            Vms[vm] = new VmInfo(vm, o.Name, next, o.Vcpus);
            for (int i = 0; i < o.Vcpus; i++, next++)
            {
                var info = VcpuInfo.ForGuest(next, vm, i, o.Vcpus, next);
                var allowed = AllowedSet(o.VcpuCpus.TryGetValue(i, out var own) ? own : o.Cpus);
                vcpuCounters[next] = new VcpuCounters();
                Tasks[next] = new TaskRuntime(next, next, vm, o.Weight, allowed);
                Vcpus[next] = new VcpuRuntime(info, engine.AllocateTimer(), engine.AllocateTimer(), vcpuCounters[next])
                {
                    HltExits = o.HltExits,
                    GuestHaltPollNs = o.GuestHaltPollNs,
                };
            }
        }

        for (int h = 0; h < hostTaskCount; h++)
        {
            int task = vcpuCount + h;
            int cpu = h % Cpus.Length;
            var allowed = AllowedSet([cpu]); // per-CPU host tasks, like kernel threads bound to their CPU
            Tasks[task] = new TaskRuntime(task, -1, -1, setup.HostTasks.Weight, allowed)
            {
                PhaseTimer = engine.AllocateTimer(),
                Random = RandomStream.Derive(Seed, "host-task", h),
                LastCpu = cpu,
            };
        }

        Counters = new SimulationCounters(vcpuCounters, pcpuCounters);
    }

    public Simulator Engine { get; }

    public long Now => Engine.Now;

    public long Seed { get; }

    public HostTopology Topology { get; }

    public CostModel Costs { get; }

    /// <summary>KVM's module parameters and profile (the Kvm section).</summary>
    public Configuration.KvmOptions Kvm { get; }

    /// <summary>The adaptive halt-polling window's rules.</summary>
    public HaltPollWindow HaltPolls { get; }

    public bool CheckInvariants { get; }

    public SimulationCounters Counters { get; }

    public VmInfo[] Vms { get; }

    public VcpuRuntime[] Vcpus { get; }

    public TaskRuntime[] Tasks { get; }

    public CpuRuntime[] Cpus { get; }

    public IVcpuLifecycleHooks[] Hooks { get; }

    public ITraceSink[] TraceSinks { get; }

    /// <summary>Plugins' own result sections, reset with Core's counters.</summary>
    public IResultSection[] ResultSections { get; }

    /// <summary>Each VM's workload (after every decorator), set once the plugins are initialised.</summary>
    public IWorkload[] Workloads { get; set; } = Array.Empty<IWorkload>();

    public IInterruptVirtualization InterruptVirtualization { get; set; } = null!;

    // The components, wired by Machine's constructor.
    public VcpuRunLoop RunLoop { get; set; } = null!;

    public GuestInterrupts Interrupts { get; set; } = null!;

    public IcrWritePath IcrWrites { get; set; } = null!;

    public SchedulingMechanism Scheduling { get; set; } = null!;

    public HostTaskRunner HostTasks { get; set; } = null!;

    public TimeAccounting Accounting { get; set; } = null!;

    public RunMonitor Monitor { get; set; } = null!;

    public DeviceInterrupts Devices { get; set; } = null!;

    /// <summary>The vCPU whose ICR write (or its exit's handling) is being carried out, for the trace; -1 otherwise.</summary>
    public int IcrSender = -1;

    /// <summary>Simulation:SampleUs's sampler, or null.</summary>
    public TimeSeriesSampler? Sampler { get; set; }

    /// <summary>Set when an invariant broke or a plugin failed; the run stops.</summary>
    public string? Failure => Monitor.Failure;

    /// <summary>"vCPU 3 of VM 'vm0'" or "host task 2".</summary>
    public string TaskName(int task)
    {
        var t = Tasks[task];
        return t.Vcpu >= 0 ? $"vCPU {Vcpus[t.Vcpu].Info.IndexInVm} of VM '{Vms[t.Vm].Name}'" : $"host task {t.Id - Vcpus.Length}";
    }

    /// <summary>Registers a component's event kinds, consecutively; returns the first.</summary>
    public int RegisterKinds<TKind>(IEventHandler handler, int count)
        where TKind : struct, Enum
    {
        int first = -1;
        for (int k = 0; k < count; k++)
        {
            int kind = Engine.RegisterKind(Enum.GetName(typeof(TKind), k)!, handler);
            if (k == 0)
            {
                first = kind;
            }
        }

        return first;
    }

    /// <summary>Affinity masks by their pCPU list, shared by the tasks that have the same one (built once, at construction).</summary>
    private readonly Dictionary<string, bool[]> _affinityMasks = new(StringComparer.Ordinal);

    /// <summary>
    /// A task's affinity as a mask over the pCPUs. Tasks with the same affinity share one read-only mask: a mask per
    /// task was 1 byte per task and pCPU, 5 MB of the 4,096-vCPU scenario's 23 MB (issue 19).
    /// </summary>
    private bool[] AllowedSet(List<int> cpus)
    {
        string key = string.Join(',', cpus);
        if (_affinityMasks.TryGetValue(key, out bool[]? shared))
        {
            return shared;
        }

        var allowed = new bool[Cpus.Length];
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

        _affinityMasks[key] = allowed;
        return allowed;
    }
}
