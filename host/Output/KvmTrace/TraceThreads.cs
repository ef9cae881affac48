using System.Globalization;
using Emu.Core.Contracts;

namespace Emu.Host.Output.KvmTrace;

/// <summary>
/// The threads of the host as a trace names them (comm, pid), fixed for a run so that the text is deterministic:
/// a VM is a QEMU process whose vCPU threads QEMU names "CPU N/KVM" (N: the vCPU's index in its VM); VM i's process
/// is pid 1000 * (i + 1) and its vCPU N thread pid 1000 * (i + 1) + 1 + N (at most 255 vCPUs a VM). Host task k is
/// "hostk" (as result.json's tasks name it), pid 1000 * (VMs + 1) + k. The idle task is pid 0, "&lt;idle&gt;" in the
/// context column and "swapper/CPU" in sched_switch. Every task runs at the default priority, 120 (nice 0).
/// </summary>
internal sealed class TraceThreads
{
    public const int Priority = 120;
    public const string IdleComm = "<idle>";

    private const int PidStride = 1000;

    private readonly string[] _comm;
    private readonly int[] _pid;
    private readonly string[] _swapper;

    public TraceThreads(IMachineView machine)
    {
        _comm = new string[machine.TaskCount];
        _pid = new int[machine.TaskCount];
        for (int task = 0; task < machine.TaskCount; task++)
        {
            int vcpu = machine.VcpuOfTask(task);
            if (vcpu >= 0)
            {
                var v = machine.Vcpu(vcpu);
                _comm[task] = string.Create(CultureInfo.InvariantCulture, $"CPU {v.IndexInVm}/KVM");
                _pid[task] = (PidStride * (v.Vm + 1)) + 1 + v.IndexInVm;
            }
            else
            {
                int k = task - machine.VcpuCount;
                _comm[task] = string.Create(CultureInfo.InvariantCulture, $"host{k}");
                _pid[task] = (PidStride * (machine.Vms.Count + 1)) + k;
            }
        }

        _swapper = new string[machine.Topology.Cpus.Count];
        for (int cpu = 0; cpu < _swapper.Length; cpu++)
        {
            _swapper[cpu] = string.Create(CultureInfo.InvariantCulture, $"swapper/{cpu}");
        }
    }

    public int CpuCount => _swapper.Length;

    /// <summary>The context column's comm of <paramref name="task"/> (-1: idle).</summary>
    public string Comm(int task) => task < 0 ? IdleComm : _comm[task];

    /// <summary>sched_switch's comm of <paramref name="task"/> on <paramref name="cpu"/> (the idle task is that CPU's swapper).</summary>
    public string SwitchComm(int task, int cpu) => task < 0 ? _swapper[cpu] : _comm[task];

    public int Pid(int task) => task < 0 ? 0 : _pid[task];
}
