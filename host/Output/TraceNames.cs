using System.Globalization;
using Emu.Core.Contracts;

namespace Emu.Host.Output;

/// <summary>Readable track and slice names for a trace: "vm0/vcpu3", "host2", "pCPU 5 (APIC 0x0A)", "vm0/nvme0 (0x40, posted)".</summary>
internal static class TraceNames
{
    public static void Apply(ChromeTraceSink sink, IMachineView machine)
    {
        sink.TaskName = task =>
        {
            int vcpu = machine.VcpuOfTask(task);
            if (vcpu < 0)
            {
                return "host" + (task - machine.VcpuCount).ToString(CultureInfo.InvariantCulture);
            }

            var v = machine.Vcpu(vcpu);
            return $"{machine.Vms[v.Vm].Name}/vcpu{v.IndexInVm}";
        };
        sink.CpuName = cpu => $"pCPU {cpu} (APIC 0x{machine.Topology.Cpus[cpu].ApicId:X2})";
        sink.VmOfVcpu = vcpu => machine.Vcpu(vcpu).Vm;
        sink.VmName = vm => $"VM {machine.Vms[vm].Name}";
        sink.VcpuName = vcpu => $"{machine.Vms[machine.Vcpu(vcpu).Vm].Name}/vcpu{machine.Vcpu(vcpu).IndexInVm}";
        sink.DeviceName = device =>
        {
            var d = machine.Devices[device];
            return $"{machine.Vms[d.Vm].Name}/{d.Name} (0x{d.Vector:X2}{(d.Posted ? ", posted" : string.Empty)})";
        };
    }
}
