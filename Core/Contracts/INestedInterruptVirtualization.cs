using Microsoft.Extensions.Configuration;

namespace Emu.Core.Contracts;

/// <summary>
/// Nested (L2) AVIC state of an L1 vCPU. The interrupt-virtualization plugin calls these from its own
/// load / put / blocking paths when a plugin provides them, and does nothing when none does.
/// </summary>
public interface INestedInterruptVirtualization
{
    void Initialize(IMachine machine);

    /// <summary>__nested_avic_load: point shadow entries that name this L1 vCPU at <paramref name="pcpu"/>.</summary>
    void NestedLoad(int vcpu, int pcpu);

    /// <summary>__nested_avic_put: clear IsRunning of shadow entries that name this L1 vCPU.</summary>
    void NestedPut(int vcpu);

    /// <summary>
    /// Checks a VM's <c>Vms:i:Nested</c> section (contract 1.1). <paramref name="workloads"/> are the known
    /// workload kinds, for the L2 guest's workload.
    /// </summary>
    IEnumerable<string> Validate(IConfigurationSection nested, int l1Vcpus, IReadOnlyList<IWorkloadFactory> workloads) => Array.Empty<string>();

    /// <summary>
    /// The program an L1 vCPU of <paramref name="vm"/> runs (contract 1.1): a nested model interleaves its L2
    /// guest into the L1 workload; a VM without a nested guest keeps <paramref name="l1"/>.
    /// </summary>
    IWorkload WrapWorkload(Model.VmInfo vm, IWorkload l1, IConfigurationSection nested, IReadOnlyList<IWorkloadFactory> workloads) => l1;
}
