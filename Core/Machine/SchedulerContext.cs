using Emu.Core.Contracts;
using Emu.Core.Randomness;
using Emu.Core.Topology;
using Microsoft.Extensions.Configuration;

namespace Emu.Core.Machine;

/// <summary>The machine as a scheduling policy sees it.</summary>
internal sealed class SchedulerContext : ISchedulerContext, ISchedulerKick
{
    private readonly Machine _machine;

    public SchedulerContext(Machine machine, IConfigurationSection policySection, string randomPurpose)
    {
        _machine = machine;
        PolicySection = policySection;
        Random = RandomStream.Derive(machine.Seed, randomPurpose);
    }

    public HostTopology Topology => _machine.Topology;

    public int TaskCount => _machine.TaskCount;

    public long Now => _machine.Now;

    public long DefaultTimeSliceNs => _machine.DefaultSliceNs;

    public RandomStream Random { get; }

    public IConfigurationSection PolicySection { get; }

    public int VcpuOfTask(int task) => _machine.VcpuOfTask(task);

    public int VmOfTask(int task) => _machine.VmOfTask(task);

    public int WeightOf(int task) => _machine.WeightOf(task);

    public bool IsAllowed(int task, int cpu) => _machine.IsAllowed(task, cpu);

    public bool IsIdle(int cpu) => _machine.IsIdle(cpu);

    public int TaskOn(int cpu) => _machine.TaskOrIncoming(cpu);

    public void KickCpu(int cpu) => _machine.KickCpu(cpu);
}
