namespace Emu.Core.Model;

/// <summary>The vCPU states that matter to interrupt delivery (DESIGN section 2).</summary>
public enum VcpuState : byte
{
    /// <summary>Loaded, in guest mode, its thread on a pCPU.</summary>
    InGuest,

    /// <summary>Loaded, handling a VM exit in the kernel (IPI emulation, HLT and halt-polling, MMIO).</summary>
    InHostKernel,

    /// <summary>Put: KVM_RUN returned and the VMM handles the exit; the thread keeps its pCPU.</summary>
    InUserspace,

    /// <summary>Put: runnable, waiting while the scheduler runs another task.</summary>
    Preempted,

    /// <summary>Blocking, then put: halted with no pending interrupt, sleeping.</summary>
    Blocked,
}
