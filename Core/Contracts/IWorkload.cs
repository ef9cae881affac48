using Emu.Core.Model;
using Microsoft.Extensions.Configuration;

namespace Emu.Core.Contracts;

/// <summary>
/// Drives the vCPUs of one VM. Core asks <see cref="Next"/> whenever a vCPU finished its previous action in
/// guest mode, and tells it of each interrupt the guest takes. vCPU numbers are indexes within the VM.
/// </summary>
public interface IWorkload
{
    GuestAction Next(int vcpu);

    void OnInterrupt(int vcpu, byte vector);
}

/// <summary>What Core gives a workload: the VM, its random streams, and a way to end a spin-wait.</summary>
public interface IWorkloadContext
{
    VmInfo Vm { get; }

    /// <summary>The vCPU's guest APIC addressing (APIC ID, logical id and mode).</summary>
    VcpuInfo Vcpu(int indexInVm);

    /// <summary>The vCPU's own stream, derived from the seed, the VM index and the vCPU index.</summary>
    Randomness.RandomStream Random(int indexInVm);

    /// <summary>Ends the vCPU's <see cref="GuestActionKind.SpinWait"/>: it asks <see cref="IWorkload.Next"/> as soon as it is in guest mode.</summary>
    void Resume(int indexInVm);

    /// <summary>The time now (for workloads that log or pace).</summary>
    long Now { get; }
}

/// <summary>A workload kind by its <c>Kind</c> name; plugins may register more.</summary>
public interface IWorkloadFactory
{
    string Kind { get; }

    /// <summary>
    /// Reads and checks a VM's Workload section once, for a VM of <paramref name="vcpuCount"/> vCPUs: returns the
    /// typed settings that create the workload, or null when the section is wrong, with every problem added to
    /// <paramref name="errors"/> naming its full key. The <c>Kind</c> key is the caller's.
    /// </summary>
    IWorkloadSettings? Bind(IConfigurationSection section, int vcpuCount, ICollection<string> errors);
}

/// <summary>A workload's bound settings (from <see cref="IWorkloadFactory.Bind"/>): they create the workload of one run.</summary>
public interface IWorkloadSettings
{
    IWorkload Create(IWorkloadContext context);
}

/// <summary>What a guest vCPU does next.</summary>
public enum GuestActionKind : byte
{
    /// <summary>Run guest code for <see cref="GuestAction.DurationNs"/> of guest time.</summary>
    Compute,

    /// <summary>Write the ICR (send an IPI); the next action is asked at once unless the write exits.</summary>
    SendIpi,

    /// <summary>HLT: sleep until an interrupt or until <see cref="GuestAction.DurationNs"/> (the guest's timer).</summary>
    Halt,

    /// <summary>An exit handled by the VMM in userspace for <see cref="GuestAction.DurationNs"/> (KVM_RUN returns).</summary>
    UserspaceExit,

    /// <summary>An MMIO exit handled in the kernel for <see cref="GuestAction.DurationNs"/>.</summary>
    MmioExit,

    /// <summary>Spin in guest mode until the workload calls <see cref="IWorkloadContext.Resume"/>.</summary>
    SpinWait,

    /// <summary>
    /// An exit of the nested (L2) guest this vCPU runs, handled by L0 (or reflected to L1) for DurationNs
    /// beyond the exit itself. Only a nested model's wrapper of the L1 program returns it.
    /// </summary>
    NestedExit,
}

/// <summary>One step of a guest's program.</summary>
public readonly record struct GuestAction(GuestActionKind Kind, long DurationNs, Icr Icr)
{
    public static GuestAction Compute(long ns) => new(GuestActionKind.Compute, ns, default);

    public static GuestAction SendIpi(Icr icr) => new(GuestActionKind.SendIpi, 0, icr);

    public static GuestAction Halt(long timeoutNs) => new(GuestActionKind.Halt, timeoutNs, default);

    public static GuestAction Userspace(long ns) => new(GuestActionKind.UserspaceExit, ns, default);

    public static GuestAction Mmio(long ns) => new(GuestActionKind.MmioExit, ns, default);

    public static GuestAction SpinWait => new(GuestActionKind.SpinWait, 0, default);

    public static GuestAction NestedExit(long ns) => new(GuestActionKind.NestedExit, ns, default);
}
