using Emu.Core.Configuration;

namespace Emu.Host.Traces;

/// <summary>
/// Groups vCPU threads into VMs. With the process id in the trace (ftrace's record-tgid column, perf script's
/// pid/tid), a VM is a process. Without it (trace-cmd report shows only thread ids), the threads are taken in
/// thread-id order, and a vCPU id seen again starts the next VM: QEMU creates a VM's vCPU threads one after
/// another, so their ids rise together.
/// </summary>
internal static class VmGrouping
{
    /// <summary>xAPIC AVIC addresses at most 255 vCPUs per VM (destination 0xFF is broadcast): Vms:i:Vcpus's limit.</summary>
    public const int MaxVcpusPerVm = 255;

    public static IReadOnlyList<ImportedVm> Group(string file, IReadOnlyList<VcpuThread> threads)
    {
        var groups = new List<(int Tgid, List<VcpuThread> Threads)>();
        foreach (var process in threads.Where(t => t.Tgid >= 0).GroupBy(t => t.Tgid))
        {
            groups.Add((process.Key, process.OrderBy(t => t.Pid).ToList()));
        }

        List<VcpuThread>? current = null;
        foreach (var thread in threads.Where(t => t.Tgid < 0).OrderBy(t => t.Pid))
        {
            if (current is null || current.Any(t => t.VcpuId == thread.VcpuId))
            {
                current = new List<VcpuThread>();
                groups.Add((-1, current));
            }

            current.Add(thread);
        }

        var vms = new List<ImportedVm>();
        foreach (var (tgid, members) in groups.OrderBy(g => g.Threads.Min(t => t.Pid)))
        {
            int count = members.Max(t => t.VcpuId) + 1;
            if (count > MaxVcpusPerVm)
            {
                var t = members.First(m => m.VcpuId >= MaxVcpusPerVm);
                throw new EmuConfigurationException($"{file}: thread {t.Pid} ('{t.Comm}') is vCPU {t.VcpuId}; an Emu VM has at most {MaxVcpusPerVm} vCPUs (xAPIC AVIC)");
            }

            var byId = new VcpuThread?[count];
            foreach (var thread in members)
            {
                if (byId[thread.VcpuId] is { } other)
                {
                    throw new EmuConfigurationException(
                        $"{file}: threads {other.Pid} and {thread.Pid} of process {tgid} are both vCPU {thread.VcpuId}; one VM cannot have the same vCPU twice");
                }

                byId[thread.VcpuId] = thread;
            }

            vms.Add(new ImportedVm(vms.Count, tgid, byId));
        }

        if (vms.Count > 1024)
        {
            throw new EmuConfigurationException($"{file}: {vms.Count:N0} VMs; an Emu scenario has at most 1,024");
        }

        return vms;
    }
}
