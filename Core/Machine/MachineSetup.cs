using Emu.Core.Configuration;
using Emu.Core.Contracts;
using Emu.Core.Topology;
using Microsoft.Extensions.Configuration;

namespace Emu.Core.Machine;

/// <summary>Everything the builder resolved for one run.</summary>
internal sealed record MachineSetup(
    IConfiguration Configuration,
    SimulationOptions Simulation,
    HostTopology Topology,
    IReadOnlyList<VmOptions> Vms,
    SchedulerOptions Scheduler,
    HostTasksOptions HostTasks,
    Model.CostModel Costs,
    IScheduler Policy,
    IInterruptVirtualization? InterruptVirtualization,
    IReadOnlyList<IVcpuLifecycleHooks> Hooks,
    IReadOnlyList<IWorkloadFactory> WorkloadFactories,
    IReadOnlyList<ITraceSink> TraceSinks,
    INestedInterruptVirtualization? Nested,
    IScheduler? FallbackPolicy = null);
