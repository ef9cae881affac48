namespace Emu.Core.Model;

/// <summary>A guest: its name, index, and the global ids of its vCPUs (first .. first+count-1).</summary>
public sealed record VmInfo(int Index, string Name, int FirstVcpu, int VcpuCount)
{
    public int VcpuId(int indexInVm) => FirstVcpu + indexInVm;
}
