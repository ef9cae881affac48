using Emu.Core.Contracts;
using Emu.Core.Model;
using Emu.Core.Randomness;

namespace Emu.Core.Machine;

/// <summary>One VM's view for its workload.</summary>
internal sealed class WorkloadContext : IWorkloadContext
{
    private readonly MachineState _m;
    private readonly RandomStream[] _streams;

    public WorkloadContext(MachineState m, VmInfo vm)
    {
        _m = m;
        Vm = vm;
        _streams = new RandomStream[vm.VcpuCount];

        // Purpose, VM and vCPU in the derivation: adding a VM or a vCPU does not move another's numbers. The purpose
        // is made once, so that the streams lie side by side (each is read at every guest action).
        string purpose = "workload/" + vm.Index.ToString(System.Globalization.CultureInfo.InvariantCulture);
        for (int i = 0; i < vm.VcpuCount; i++)
        {
            _streams[i] = RandomStream.Derive(m.Seed, purpose, i);
        }
    }

    public VmInfo Vm { get; }

    public long Now => _m.Now;

    public VcpuInfo Vcpu(int indexInVm) => _m.Vcpus[Vm.VcpuId(indexInVm)].Info;

    public RandomStream Random(int indexInVm) => _streams[indexInVm];

    /// <summary>Core's costs, for Core's own workloads (a replay leaves them out of a recorded exit's length).</summary>
    internal CostModel Costs => _m.Costs;

    public void Resume(int indexInVm) => _m.RunLoop.RequestResume(Vm.VcpuId(indexInVm));
}
