namespace Emu.Host.Traces;

/// <summary>One event line, split into its common fields; the spans point into the reader's buffer.</summary>
internal readonly ref struct TraceLine
{
    public TraceLine(ReadOnlySpan<byte> comm, int pid, int tgid, int cpu, long timeNs, ReadOnlySpan<byte> eventName, ReadOnlySpan<byte> fields)
    {
        Comm = comm;
        Pid = pid;
        Tgid = tgid;
        Cpu = cpu;
        TimeNs = timeNs;
        EventName = eventName;
        Fields = fields;
    }

    /// <summary>The thread's name (TASK_COMM_LEN: at most 15 characters; may hold spaces, as "CPU 0/KVM").</summary>
    public ReadOnlySpan<byte> Comm { get; }

    /// <summary>The thread id (the kernel's pid).</summary>
    public int Pid { get; }

    /// <summary>The process (thread group) id when the text shows it, else -1.</summary>
    public int Tgid { get; }

    public int Cpu { get; }

    public long TimeNs { get; }

    /// <summary>The event's name without its system ("kvm_exit", also for perf's "kvm:kvm_exit").</summary>
    public ReadOnlySpan<byte> EventName { get; }

    /// <summary>What the event's TP_printk (or a trace-cmd plugin) printed.</summary>
    public ReadOnlySpan<byte> Fields { get; }
}
