using Emu.Core.Configuration;
using Emu.Core.Model;
using Emu.Core.Topology;

namespace Emu.Core.Building;

/// <summary>Core's options, bound and validated from one configuration.</summary>
internal sealed record ScenarioOptions(
    SimulationOptions Simulation,
    TopologyOptions TopologyOptions,
    HostTopology? Topology,
    List<VmOptions> Vms,
    SchedulerOptions Scheduler,
    HostTasksOptions HostTasks,
    CostsOptions CostsOptions,
    KvmOptions Kvm)
{
    public CostModel Costs => new(
        CostsOptions.VmExitNs, CostsOptions.IpiEmulationNs, CostsOptions.WakeupNs, CostsOptions.ContextSwitchNs,
        CostsOptions.UserspaceRoundTripNs, CostsOptions.HostInterruptNs, CostsOptions.CpuGhz);
}
