using Emu.Core.Contracts;

namespace Emu.Plugins.Svm;

/// <summary>The AVIC tables of every VM in hex: the physical APIC ID table, the valid logical entries and the backing pages.</summary>
internal sealed class AvicTableDump(AvicContext ctx) : IStateDump
{
    public string Title => "AVIC tables";

    public IEnumerable<string> Lines()
    {
        var machine = ctx.Machine;
        foreach (var vm in machine.Vms)
        {
            yield return $"VM {vm.Index} '{vm.Name}': physical APIC ID table ({ctx.Physical[vm.Index].Count} entries)";
            foreach (string line in ctx.Physical[vm.Index].Dump())
            {
                yield return line;
            }

            yield return $"VM {vm.Index} '{vm.Name}': logical APIC ID table (valid entries)";
            foreach (string line in ctx.Logical[vm.Index].Dump())
            {
                yield return line;
            }

            yield return $"VM {vm.Index} '{vm.Name}': backing pages";
            for (int i = 0; i < vm.VcpuCount; i++)
            {
                int vcpu = vm.VcpuId(i);
                yield return $"  vCPU {vcpu}: {ctx.Pages[vcpu].Dump(machine, vcpu)}";
            }
        }
    }
}
