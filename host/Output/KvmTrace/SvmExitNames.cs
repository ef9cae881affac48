using Emu.Core.Model;

namespace Emu.Host.Output.KvmTrace;

/// <summary>
/// Emu's exit reasons as kvm_exit prints them: SVM_EXIT_REASONS (arch/x86/include/uapi/asm/svm.h), the table
/// kvm_print_exit_reason uses on AMD. It names SVM_EXIT_INTR "interrupt" (result.json's exitStats says "intr").
/// </summary>
internal static class SvmExitNames
{
    public static string Name(ExitReason reason) => reason switch
    {
        ExitReason.AvicIncompleteIpi => "avic_incomplete_ipi",
        ExitReason.AvicUnacceleratedAccess => "avic_unaccelerated_access",
        ExitReason.Npf => "npf",
        ExitReason.Hlt => "hlt",
        ExitReason.Io => "io",
        ExitReason.Intr => "interrupt",
        ExitReason.Vmrun => "vmrun",
        _ => "other", // Core names every exit it makes; this keeps an unnamed one visible rather than hidden
    };

    /// <summary>
    /// The kvm_run exit reason KVM_RUN returns to userspace with after an exit of this reason (include/uapi/linux/kvm.h):
    /// an I/O port access the VMM emulates is KVM_EXIT_IO (2), an MMIO access KVM_EXIT_MMIO (6).
    /// </summary>
    public static (string Name, int Number) UserspaceExit(ExitReason reason) =>
        reason == ExitReason.Npf ? ("KVM_EXIT_MMIO", 6) : ("KVM_EXIT_IO", 2);
}
