namespace Emu.Host.Traces;

/// <summary>
/// sched_wakeup, in the kernel's TP_printk form (ftrace, perf script):
/// <c>comm=%s pid=%d prio=%d target_cpu=%03d</c> (older kernels: <c>... prio=%d success=%d target_cpu=%03d</c>),
/// or as trace-cmd's sched plugin prints it: <c>%s:%d [%d] CPU:%03d</c> (older: <c>... [%d] success=%d CPU:%03d</c>).
/// A comm may hold spaces and colons, so the pid is found from its label, or from the right.
/// </summary>
internal static class SchedWakeupFields
{
    public const string Shape = "'comm=<comm> pid=<pid> prio=<prio> target_cpu=<cpu>' or '<comm>:<pid> [<prio>] CPU:<cpu>'";

    /// <summary>The woken task's pid.</summary>
    public static bool TryParse(ReadOnlySpan<byte> fields, out int pid)
    {
        pid = -1;
        ReadOnlySpan<byte> number;
        if (fields.StartsWith("comm="u8))
        {
            int at = fields.LastIndexOf(" pid="u8);
            if (at < 0)
            {
                return false;
            }

            number = fields[(at + " pid=".Length)..];
        }
        else
        {
            int bracket = fields.LastIndexOf(" ["u8);
            int colon = bracket < 0 ? -1 : fields[..bracket].LastIndexOf((byte)':');
            if (colon < 0)
            {
                return false;
            }

            number = fields[(colon + 1)..bracket];
        }

        if (!SpanText.TryDecimal(ref number, out long n) || n > int.MaxValue || !(number.IsEmpty || number[0] == (byte)' '))
        {
            return false;
        }

        pid = (int)n;
        return true;
    }
}
