using Emu.Core.Contracts;
using Emu.Core.Model;
using Microsoft.Extensions.Configuration;

namespace Emu.Plugins.NestedSvm;

/// <summary>
/// The nested layer over the Svm plugin's AVIC: it owns each VM's <c>Nested</c> section (a workload decorator
/// whose layer gives the L1 vCPUs their hypervisor program), keeps the shadow tables on the nested load / put the
/// Svm plugin calls (put only in strict mode, as the seed does; in both modes when blocking), takes the doorbells
/// the Svm plugin delivers to L2 targets, and reports each VM's L2 counts as vms[i].nested.
/// </summary>
internal sealed class NestedAvic : INestedInterruptVirtualization, IWorkloadDecorator, IResultSection
{
    private readonly NestedCosts _costs;
    private readonly L2InterruptPath _path;
    private readonly List<(NestedVm Vm, int L2)> _targets = new();
    private NestedVm?[] _byVm = Array.Empty<NestedVm?>();
    private IVirtualizationContext _host = null!;

    private readonly IAvicInhibit? _inhibit;

    public NestedAvic(NestedCosts costs, IAvicHardware? hardware, IDoorbell? doorbell, IAvicInhibit? inhibit)
    {
        _costs = costs;
        _inhibit = inhibit;
        _path = new L2InterruptPath(hardware, doorbell, costs, _targets);
    }

    public string VmKey => "Nested";

    public string Key => "nested";

    internal NestedVm? Vm(int vm) => (uint)vm < (uint)_byVm.Length ? _byVm[vm] : null;

    public IWorkloadLayer? Bind(IConfigurationSection section, int vcpuCount, IReadOnlyList<IWorkloadFactory> workloads, ICollection<string> errors) =>
        NestedOptions.Bind(section, vcpuCount, workloads, errors) is { } bound ? new Layer(this, bound.Options, bound.Workload) : null;

    public void Initialize(IVirtualizationContext context)
    {
        _host = context;
        _byVm = new NestedVm?[context.Machine.Vms.Count];
        _path.Initialize(context);
        context.Monitor.AddInvariant(CheckInvariants);
    }

    /// <summary>Gives VM <paramref name="vm"/>'s L1 vCPUs their hypervisor program over <paramref name="l1"/>.</summary>
    private L1HypervisorProgram Wrap(VmInfo vm, IWorkload l1, NestedOptions options, IWorkloadSettings l2Workload)
    {
        var n = new NestedVm(vm, options, l1, _targets.Count);
        for (int j = 0; j < n.Count; j++)
        {
            _targets.Add((n, j));
        }

        _byVm[vm.Index] = n;
        n.Workload = l2Workload.Create(new L2WorkloadContext(n, _host.Machine));
        _path.Add(n);
        // Without nested AVIC (upstream KVM) the L1 vCPU's own AVIC is inhibited while it runs L2.
        return new L1HypervisorProgram(n, _path, _costs, options.Avic ? null : _inhibit);
    }

    public void NestedLoad(int vcpu, int pcpu)
    {
        ref readonly VcpuInfo v = ref _host.Machine.Vcpu(vcpu);
        Vm(v.Vm)?.NestedLoad(v.IndexInVm, _host.Machine.Topology.Cpus[pcpu].ApicId);
    }

    public void NestedPut(int vcpu)
    {
        ref readonly VcpuInfo v = ref _host.Machine.Vcpu(vcpu);
        Vm(v.Vm)?.NestedPut(v.IndexInVm);
    }

    public int HostVcpuOf(int target)
    {
        var (n, j) = _targets[target];
        return n.L1.VcpuId(n.HostOf[j]);
    }

    public void DoorbellArrived(int target, DoorbellLanding landing)
    {
        var (n, j) = _targets[target];
        _path.DoorbellArrived(n, j, landing);
    }

    public void Reset()
    {
        foreach (var n in _byVm)
        {
            n?.Counters.Reset();
        }
    }

    public object? ForVm(int vm) => Vm(vm)?.Counters.ToResult();

    /// <summary>The non-nested invariants, for L2: no halted L2 vCPU sleeps on a pending interrupt; the shadow never says running where L1 does not.</summary>
    private void CheckInvariants()
    {
        foreach (var n in _byVm)
        {
            if (n is null)
            {
                continue;
            }

            for (int j = 0; j < n.Count; j++)
            {
                if (n.Halted[j] && !n.Irr[j].IsEmpty)
                {
                    _host.Monitor.ReportViolation($"L2 vCPU {j} of VM '{n.L1.Name}' is halted with vector 0x{n.Irr[j].Highest():X2} pending: a lost L2 wake-up");
                }

                var shadow = new PhysicalApicIdEntry(n.Shadow[j]);
                if (shadow.IsRunning && !new PhysicalApicIdEntry(n.L1Table[j]).IsRunning)
                {
                    _host.Monitor.ReportViolation($"L2 vCPU {j} of VM '{n.L1.Name}': shadow entry {shadow} says running but L1's entry {new PhysicalApicIdEntry(n.L1Table[j])} does not");
                }
            }
        }
    }

    /// <summary>One VM's bound Nested section.</summary>
    private sealed class Layer(NestedAvic owner, NestedOptions options, IWorkloadSettings l2Workload) : IWorkloadLayer
    {
        public IWorkload Wrap(IWorkloadContext context, IWorkload inner) => owner.Wrap(context.Vm, inner, options, l2Workload);
    }
}
