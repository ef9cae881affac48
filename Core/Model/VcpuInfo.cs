namespace Emu.Core.Model;

/// <summary>
/// A vCPU's fixed identity and its guest APIC's addressing, as the guest programs it: APIC ID = vCPU index
/// (KVM's default; AVIC is inhibited otherwise), LDR and DFR in xAPIC flat or cluster mode.
/// </summary>
public readonly record struct VcpuInfo(int Id, int Vm, int IndexInVm, int ApicId, uint LogicalId, bool FlatLogicalMode, int Task)
{
    /// <summary>xAPIC cluster mode: 15 clusters (0xF is broadcast) of 4, so 60 logically addressable vCPUs.</summary>
    public const int MaxClusterAddressable = 60;

    /// <summary>
    /// A vCPU of a VM with <paramref name="vcpusInVm"/> vCPUs, with the APIC IDs Linux gives it: APIC ID = index,
    /// flat logical mode (LDR = 1 &lt;&lt; index) up to 8 vCPUs, cluster mode beyond (cluster index / 4). The
    /// 4-bit cluster field reaches 60 vCPUs; beyond, the LDR is 0 (no logical destination names the vCPU) and
    /// guests address it in physical mode (<see cref="LogicallyAddressable"/>).
    /// </summary>
    public static VcpuInfo ForGuest(int id, int vm, int index, int vcpusInVm, int task)
    {
        bool flat = vcpusInVm <= 8;
        uint logical = flat ? 1u << index
            : index < MaxClusterAddressable ? (uint)(((index / 4) << 4) | (1 << (index % 4)))
            : 0;
        return new VcpuInfo(id, vm, index, index, logical, flat, task);
    }

    /// <summary>False for a vCPU no logical destination can name (index 60 and up in cluster mode).</summary>
    public bool LogicallyAddressable => LogicalId != 0;

    /// <summary>DFR model field: 0xF = flat, 0x0 = cluster (bits 31:28).</summary>
    public uint Dfr => FlatLogicalMode ? 0xFFFFFFFFu : 0x0FFFFFFFu;

    /// <summary>LDR register value: the 8-bit logical id in bits 31:24.</summary>
    public uint Ldr => LogicalId << 24;
}
