using Microsoft.Extensions.Configuration;

namespace Emu.Core.Contracts;

/// <summary>
/// A plugin's per-VM layer over a VM's workload, keyed by a VM sub-key it owns: nested virtualization, say, has
/// the L1 vCPUs of a VM with a <c>Vms:i:Nested</c> section run an L1 hypervisor that interleaves an L2 guest.
/// Core binds the section while it validates the scenario and wraps the workload once the plugins are
/// initialised; a VM without the key keeps its workload.
/// </summary>
public interface IWorkloadDecorator
{
    /// <summary>The VM sub-key this decorator owns (e.g. "Nested").</summary>
    string VmKey { get; }

    /// <summary>
    /// Reads and checks a VM's section once, for a VM of <paramref name="vcpuCount"/> vCPUs: the bound layer, or
    /// null with every problem added to <paramref name="errors"/> naming its full key. <paramref name="workloads"/>
    /// are the known workload kinds (for a guest the layer runs).
    /// </summary>
    IWorkloadLayer? Bind(IConfigurationSection section, int vcpuCount, IReadOnlyList<IWorkloadFactory> workloads, ICollection<string> errors);
}

/// <summary>One VM's bound layer (from <see cref="IWorkloadDecorator.Bind"/>).</summary>
public interface IWorkloadLayer
{
    /// <summary>The program the VM's vCPUs run instead of <paramref name="inner"/> (called once per run, after the plugins' Initialize).</summary>
    IWorkload Wrap(IWorkloadContext context, IWorkload inner);
}
