using Emu.Core.Contracts;
using Emu.Core.Model;
using Microsoft.Extensions.Configuration;

namespace Emu.Plugins.NestedSvm;

/// <summary>
/// Core's nested contract: validates Nested sections, gives the L1 vCPUs of nested VMs their hypervisor
/// program, and keeps the shadow tables on the nested load / put the Svm plugin calls (only in strict mode
/// for put, as the seed does; in both modes when blocking).
/// </summary>
internal sealed class NestedAvic : INestedInterruptVirtualization
{
    private readonly NestedCosts _costs;
    private readonly L2InterruptPath _path;
    private readonly List<NestedVm> _pending = new();
    private NestedVm?[] _byVm = Array.Empty<NestedVm?>();
    private IMachine _machine = null!;

    public NestedAvic(NestedCosts costs, IAvicHardware? hardware)
    {
        _costs = costs;
        _path = new L2InterruptPath(hardware, costs);
    }

    internal NestedVm? Vm(int vm) => (uint)vm < (uint)_byVm.Length ? _byVm[vm] : null;

    public IEnumerable<string> Validate(IConfigurationSection nested, int l1Vcpus, IReadOnlyList<IWorkloadFactory> workloads)
    {
        var errors = new List<string>();
        NestedOptions.Read(nested, l1Vcpus, workloads, errors);
        return errors;
    }

    public IWorkload WrapWorkload(VmInfo vm, IWorkload l1, IConfigurationSection nested, IReadOnlyList<IWorkloadFactory> workloads)
    {
        var errors = new List<string>();
        var options = NestedOptions.Read(nested, vm.VcpuCount, workloads, errors);
        if (errors.Count > 0)
        {
            throw new InvalidOperationException(string.Join("; ", errors)); // validated before: a bug if reached
        }

        var factory = workloads.First(f => string.Equals(f.Kind, options.WorkloadKind, StringComparison.OrdinalIgnoreCase));
        var n = new NestedVm(vm, options, l1, factory, nested.GetSection("Workload"));
        _pending.Add(n);
        return new L1HypervisorProgram(n, _path, _costs);
    }

    public void Initialize(IMachine machine)
    {
        _machine = machine;
        _byVm = new NestedVm?[machine.Vms.Count];
        foreach (var n in _pending)
        {
            _byVm[n.L1.Index] = n;
            n.Workload = n.Factory.Create(new L2WorkloadContext(n, machine), n.WorkloadSection);
            machine.Counters.Nested[n.L1.Index].Active = true;
        }

        _path.Initialize(machine, _byVm);
        machine.AddInvariant(CheckInvariants);
    }

    public void NestedLoad(int vcpu, int pcpu)
    {
        ref readonly VcpuInfo v = ref _machine.Vcpu(vcpu);
        Vm(v.Vm)?.NestedLoad(v.IndexInVm, _machine.Topology.Cpus[pcpu].ApicId);
    }

    public void NestedPut(int vcpu)
    {
        ref readonly VcpuInfo v = ref _machine.Vcpu(vcpu);
        Vm(v.Vm)?.NestedPut(v.IndexInVm);
    }

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
                    _machine.ReportViolation($"L2 vCPU {j} of VM '{n.L1.Name}' is halted with vector 0x{n.Irr[j].Highest():X2} pending: a lost L2 wake-up");
                }

                var shadow = new PhysicalApicIdEntry(n.Shadow[j]);
                if (shadow.IsRunning && !new PhysicalApicIdEntry(n.L1Table[j]).IsRunning)
                {
                    _machine.ReportViolation($"L2 vCPU {j} of VM '{n.L1.Name}': shadow entry {shadow} says running but L1's entry {new PhysicalApicIdEntry(n.L1Table[j])} does not");
                }
            }
        }
    }
}
