namespace Emu.Core.Model;

/// <summary>What makes a device raise an interrupt.</summary>
public enum DeviceTrigger
{
    /// <summary>A stream of interrupts, one every IntervalNs (with jitter), to its vCPUs in turn (a NIC's receive queue, a timer-driven device).</summary>
    Interval,

    /// <summary>A completion IntervalNs (with jitter) after each userspace exit of one of its vCPUs, to that vCPU (a request and its completion).</summary>
    UserspaceExit,
}

/// <summary>
/// An assigned device of a VM (Vms:i:Devices): its global id, its MSI vector and the global ids of the vCPUs its
/// interrupts go to. <see cref="Posted"/> asks for IOMMU posting; whether it happens is the interrupt virtualization's.
/// </summary>
public sealed record DeviceInfo(int Id, int Vm, string Name, byte Vector, IReadOnlyList<int> Targets, bool Posted, DeviceTrigger Trigger, long IntervalNs, double Jitter, int HostCpu)
{
    /// <summary>FIRST_EXTERNAL_VECTOR: the guest's device vectors start here.</summary>
    public const int FirstVector = 0x20;

    /// <summary>The last vector below FIRST_SYSTEM_VECTOR (0xEC, the local timer), where Linux's system vectors start.</summary>
    public const int LastVector = 0xEB;
}
