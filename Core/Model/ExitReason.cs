namespace Emu.Core.Model;

/// <summary>
/// A VM exit's reason as KVM's SVM exit names have it (arch/x86/include/uapi/asm/svm.h, SVM_EXIT_REASONS, the names
/// `perf kvm stat` prints): result.json's exitStats is keyed by these.
/// </summary>
public enum ExitReason : byte
{
    /// <summary>Anything the model does not name.</summary>
    Other,

    /// <summary>SVM_EXIT_AVIC_INCOMPLETE_IPI (0x401): an ICR write AVIC could not complete (every cause).</summary>
    AvicIncompleteIpi,

    /// <summary>SVM_EXIT_AVIC_UNACCELERATED_ACCESS (0x402).</summary>
    AvicUnacceleratedAccess,

    /// <summary>SVM_EXIT_NPF: an MMIO access (an emulated device, the xAPIC ICR without AVIC).</summary>
    Npf,

    /// <summary>SVM_EXIT_HLT; its time includes the time the vCPU stayed halted, as in `perf kvm stat`.</summary>
    Hlt,

    /// <summary>SVM_EXIT_IOIO handled in userspace (KVM_RUN returns to the VMM).</summary>
    Io,

    /// <summary>SVM_EXIT_INTR: a host interrupt (a kick, the scheduler's tick, a device's MSI) took the pCPU from the guest.</summary>
    Intr,

    /// <summary>SVM_EXIT_VMRUN and the nested guest's exits that L1 handles (NestedSvm).</summary>
    Vmrun,
}

/// <summary>The names of <see cref="ExitReason"/> as KVM prints them.</summary>
public static class ExitReasonNames
{
    private static readonly string[] Names = { "other", "avic_incomplete_ipi", "avic_unaccelerated_access", "npf", "hlt", "io", "intr", "vmrun" };

    public static int Count => Names.Length;

    public static string Name(ExitReason reason) => Names[(int)reason];
}
