namespace Emu.Core.Model;

/// <summary>
/// A vCPU's fixed identity and its guest APIC's addressing, as the guest programs it: APIC ID = vCPU index
/// (KVM's default; AVIC is inhibited otherwise), LDR and DFR in xAPIC flat or cluster mode.
/// </summary>
public readonly record struct VcpuInfo(int Id, int Vm, int IndexInVm, int ApicId, uint LogicalId, bool FlatLogicalMode, int Task)
{
    /// <summary>
    /// A vCPU of a VM with <paramref name="vcpusInVm"/> vCPUs, with the APIC IDs Linux gives it: APIC ID = index,
    /// flat logical mode (LDR = 1 &lt;&lt; index) up to 8 vCPUs, cluster mode beyond (cluster index / 4).
    /// </summary>
    public static VcpuInfo ForGuest(int id, int vm, int index, int vcpusInVm, int task)
    {
        bool flat = vcpusInVm <= 8;
        uint logical = flat ? 1u << index : (uint)(((index / 4) << 4) | (1 << (index % 4)));
        return new VcpuInfo(id, vm, index, index, logical, flat, task);
    }

    /// <summary>DFR model field: 0xF = flat, 0x0 = cluster (bits 31:28).</summary>
    public uint Dfr => FlatLogicalMode ? 0xFFFFFFFFu : 0x0FFFFFFFu;

    /// <summary>LDR register value: the 8-bit logical id in bits 31:24.</summary>
    public uint Ldr => LogicalId << 24;
}
