namespace Emu.Host.Traces;

/// <summary>The text a trace comes as; the first event line decides.</summary>
internal enum TraceFormat
{
    /// <summary>
    /// <c>trace-cmd report</c>, or the kernel's own <c>trace</c> file: <c>CPU 0/KVM-4121 [003] 1234.567890: kvm_exit: ...</c>,
    /// with an optional <c>(tgid)</c> column (ftrace's record-tgid) and latency flags (<c>d..2.</c>).
    /// </summary>
    TraceCmd,

    /// <summary><c>perf script</c>: <c>CPU 0/KVM  4121 [003] 1234.567890: kvm:kvm_exit: ...</c>, the pid as <c>tid</c> or <c>pid/tid</c>.</summary>
    Perf,
}
