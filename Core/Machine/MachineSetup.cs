using Emu.Core.Model;
using Emu.Core.Configuration;
using Emu.Core.Contracts;
using Emu.Core.Topology;

namespace Emu.Core.Machine;

/// <summary>Everything the builder bound and resolved for one run.</summary>
internal sealed record MachineSetup(
    SimulationOptions Simulation,
    HostTopology Topology,
    IReadOnlyList<VmOptions> Vms,
    SchedulerOptions Scheduler,
    HostTasksOptions HostTasks,
    KvmOptions Kvm,
    Model.CostModel Costs,
    IScheduler Policy,
    IScheduler? FallbackPolicy,
    IInterruptVirtualization? InterruptVirtualization,
    INestedInterruptVirtualization? Nested,
    IReadOnlyList<IVcpuLifecycleHooks> Hooks,
    IReadOnlyList<IWorkloadSettings> Workloads,
    IReadOnlyList<BoundLayer> Layers,
    IReadOnlyList<IResultSection> ResultSections,
    IReadOnlyList<ITraceSink> TraceSinks,
    IReadOnlyList<DeviceInfo> Devices,
    IPostedInterruptRemapping? Remapping);

/// <summary>A decorator's bound layer over VM <paramref name="Vm"/>'s workload.</summary>
internal sealed record BoundLayer(int Vm, IWorkloadLayer Layer);
