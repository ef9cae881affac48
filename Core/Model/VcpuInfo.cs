namespace Emu.Core.Model;

/// <summary>
/// A vCPU's fixed identity and its guest APIC's addressing, as the guest programs it: APIC ID = vCPU index
/// (KVM's default; AVIC is inhibited otherwise), LDR and DFR in xAPIC flat or cluster mode.
/// </summary>
public readonly record struct VcpuInfo(int Id, int Vm, int IndexInVm, int ApicId, uint LogicalId, bool FlatLogicalMode, int Task)
{
    /// <summary>DFR model field: 0xF = flat, 0x0 = cluster (bits 31:28).</summary>
    public uint Dfr => FlatLogicalMode ? 0xFFFFFFFFu : 0x0FFFFFFFu;

    /// <summary>LDR register value: the 8-bit logical id in bits 31:24.</summary>
    public uint Ldr => LogicalId << 24;
}
