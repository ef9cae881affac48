namespace Emu.Host.Traces;

/// <summary>
/// Finds the vCPU whose LAPIC timer a kvm_apic_accept_irq delivers. KVM prints the target's vcpu_id as apicid, and
/// the line is in the context of whatever runs on the pCPU the timer fired on: with several VMs, the vCPU is the
/// halted one with that id whose thread this is, else whose thread last ran on that pCPU (KVM moves a vCPU's timer
/// to the pCPU it runs on).
/// </summary>
internal sealed class TimerTargets
{
    private readonly Dictionary<int, List<VcpuThread>> _byVcpuId = new();

    /// <summary>Files a thread under its vCPU id, once KVM has printed it.</summary>
    public void Add(VcpuThread thread)
    {
        if (thread.Indexed || thread.VcpuId < 0)
        {
            return;
        }

        thread.Indexed = true;
        if (!_byVcpuId.TryGetValue(thread.VcpuId, out var list))
        {
            list = new List<VcpuThread>(1);
            _byVcpuId.Add(thread.VcpuId, list);
        }

        list.Add(thread);
    }

    /// <summary>The halted vCPU the line names, or null when none, or no one alone, fits.</summary>
    public VcpuThread? Find(uint apicId, int pid, int cpu)
    {
        if (apicId > int.MaxValue || !_byVcpuId.TryGetValue((int)apicId, out var list))
        {
            return null;
        }

        VcpuThread? found = null;
        int candidates = 0;
        foreach (var t in list)
        {
            if (!t.InHalt)
            {
                continue;
            }

            if (t.Pid == pid)
            {
                return t;
            }

            if (t.LastCpu == cpu || list.Count == 1)
            {
                found = t;
                candidates++;
            }
        }

        return candidates == 1 ? found : null;
    }
}
