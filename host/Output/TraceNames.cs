using System.Globalization;
using Emu.Core.Contracts;

namespace Emu.Host.Output;

/// <summary>Readable track and slice names for a trace: "vm0/vcpu3", "host2", "pCPU 5 (APIC 0x0A)".</summary>
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
    }
}
