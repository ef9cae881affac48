using Emu.Core.Contracts;
using Emu.Core.Model;
using Emu.Core.Randomness;

namespace Emu.Plugins.NestedSvm;

/// <summary>The L2 guest's view for its workload: its own vCPUs, its own seeded streams.</summary>
internal sealed class L2WorkloadContext : IWorkloadContext
{
    private readonly NestedVm _vm;
    private readonly IMachineView _machine;
    private readonly RandomStream[] _streams;

    public L2WorkloadContext(NestedVm vm, IMachineView machine)
    {
        _vm = vm;
        _machine = machine;
        Vm = new VmInfo(vm.L1.Index, vm.L1.Name + "/L2", 0, vm.Count);
        _streams = new RandomStream[vm.Count];
        for (int j = 0; j < vm.Count; j++)
        {
            _streams[j] = RandomStream.Derive(machine.Seed, "l2-workload/" + vm.L1.Index.ToString(System.Globalization.CultureInfo.InvariantCulture), j);
        }
    }

    public VmInfo Vm { get; }

    public long Now => _machine.Now;

    public VcpuInfo Vcpu(int indexInVm) => _vm.Info[indexInVm];

    public RandomStream Random(int indexInVm) => _streams[indexInVm];

    public void Resume(int indexInVm) => _vm.ResumeRequested[indexInVm] = true;
}
