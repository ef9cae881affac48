using Emu.Core.Contracts;
using Emu.Core.Randomness;
using Emu.Core.Topology;

namespace Emu.Core.Machine;

/// <summary>The machine as a scheduling policy sees it.</summary>
internal sealed class SchedulerContext : ISchedulerContext, ISchedulerKick
{
    private readonly MachineState _m;
    private readonly SchedulingMechanism _scheduling;

    public SchedulerContext(MachineState m, SchedulingMechanism scheduling, string randomPurpose)
    {
        _m = m;
        _scheduling = scheduling;
        Random = RandomStream.Derive(m.Seed, randomPurpose);
    }

    public HostTopology Topology => _m.Topology;

    public int TaskCount => _m.Tasks.Length;

    public long Now => _m.Now;

    public long DefaultTimeSliceNs => _scheduling.DefaultSliceNs;

    public RandomStream Random { get; }

    public int VcpuOfTask(int task) => _m.Tasks[task].Vcpu;

    public int VmOfTask(int task) => _m.Tasks[task].Vm;

    public int WeightOf(int task) => _m.Tasks[task].Weight;

    public bool IsAllowed(int task, int cpu) => _m.Tasks[task].Allowed[cpu];

    public bool IsIdle(int cpu) => _scheduling.IsIdle(cpu);

    public int TaskOn(int cpu) => _scheduling.TaskOrIncoming(cpu);

    public void KickCpu(int cpu) => _scheduling.KickCpu(cpu);
}
