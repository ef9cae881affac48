namespace Emu.Host.Traces;

/// <summary>
/// Splits an event line of <c>trace-cmd report</c> (or ftrace's <c>trace</c> file) or <c>perf script</c> into its
/// common fields, from the bytes, without allocating. Both print the thread, <c>[cpu]</c>, the timestamp and the
/// event; they differ in how the thread is written (<c>comm-pid</c> against <c>comm pid</c>) and in the event's
/// name (<c>kvm_exit:</c> against <c>kvm:kvm_exit:</c>), which is how the first event line tells them apart.
/// </summary>
internal static class TraceLineParser
{
    public const string TraceCmdShape = "'<comm>-<pid> [<cpu>] <seconds>.<fraction>: <event>: <fields>' (trace-cmd report)";
    public const string PerfShape = "'<comm> <pid> [<cpu>] <seconds>.<fraction>: <system>:<event>: <fields>' (perf script)";

    public static string Shape(TraceFormat format) => format == TraceFormat.Perf ? PerfShape : TraceCmdShape;

    /// <summary>
    /// A line that is not an event: blank, a comment (<c>#</c>, ftrace's header and <c>##### CPU 2 buffer started ####</c>),
    /// or one of trace-cmd report's header lines (<c>version = 6</c>, <c>cpus=4</c>, <c>CPU 3 is empty</c>).
    /// </summary>
    public static bool IsNoise(ReadOnlySpan<byte> line)
    {
        var s = SpanText.TrimStart(SpanText.TrimEnd(line));
        if (s.IsEmpty || s[0] == (byte)'#' || s.StartsWith("cpus="u8) || s.StartsWith("version ="u8))
        {
            return true;
        }

        if (SpanText.TrySkip(ref s, "CPU "u8) && SpanText.TryDecimal(ref s, out _))
        {
            return s.SequenceEqual(" is empty"u8);
        }

        return false;
    }

    /// <summary>A trace-cmd or ftrace line reporting events the ring buffer dropped: <c>CPU:2 [LOST 1234 EVENTS]</c>.</summary>
    public static bool IsLostEvents(ReadOnlySpan<byte> line, out long lost)
    {
        lost = 0;
        var s = SpanText.TrimStart(line);
        if (!SpanText.TrySkip(ref s, "CPU:"u8) || !SpanText.TryDecimal(ref s, out _))
        {
            return false;
        }

        s = SpanText.TrimStart(s);
        return SpanText.TrySkip(ref s, "[LOST "u8) && SpanText.TryDecimal(ref s, out lost);
    }

    /// <summary>The format of an event line, or null when it is an event line of neither.</summary>
    public static TraceFormat? Detect(ReadOnlySpan<byte> line)
    {
        if (!TrySplit(line, out var head, out _, out _, out var name, out _) || head.IsEmpty)
        {
            return null;
        }

        var format = name.IndexOf((byte)':') > 0 ? TraceFormat.Perf : TraceFormat.TraceCmd;
        return TryThread(head, format, out _, out _, out _) ? format : null;
    }

    public static bool TryParse(ReadOnlySpan<byte> line, TraceFormat format, out TraceLine parsed)
    {
        parsed = default;
        if (!TrySplit(line, out var head, out int cpu, out long ns, out var name, out var fields)
            || !TryThread(head, format, out var comm, out int pid, out int tgid))
        {
            return false;
        }

        int colon = name.LastIndexOf((byte)':');
        if (format == TraceFormat.Perf ? colon <= 0 : colon >= 0)
        {
            return false; // perf names the system (kvm:kvm_exit); trace-cmd does not
        }

        parsed = new TraceLine(comm, pid, tgid, cpu, ns, name[(colon + 1)..], fields);
        return true;
    }

    /// <summary>The parts every event line has: the thread (unparsed), [cpu], the timestamp, the event's name, its fields.</summary>
    private static bool TrySplit(ReadOnlySpan<byte> line, out ReadOnlySpan<byte> head, out int cpu, out long ns, out ReadOnlySpan<byte> name, out ReadOnlySpan<byte> fields)
    {
        head = name = fields = default;
        cpu = -1;
        ns = 0;
        var s = SpanText.TrimStart(SpanText.TrimEnd(line));
        int open = FindCpuField(s, out cpu, out int close);
        if (open <= 0)
        {
            return false;
        }

        head = SpanText.TrimEnd(s[..open]);
        var rest = SpanText.TrimStart(s[(close + 1)..]);
        var probe = rest;
        if (!SpanText.TryTimestamp(ref probe, out _))
        {
            SpanText.Word(ref rest); // latency flags (d..2.) between [cpu] and the timestamp
            rest = SpanText.TrimStart(rest);
        }

        if (!SpanText.TryTimestamp(ref rest, out ns) || !SpanText.TrySkip(ref rest, ":"u8))
        {
            return false;
        }

        rest = SpanText.TrimStart(rest);
        int end = EventNameEnd(rest);
        if (end <= 0)
        {
            return false;
        }

        name = rest[..end];
        fields = SpanText.TrimStart(rest[(end + 1)..]);
        return true;
    }

    /// <summary>The first <c>[digits]</c> after the thread; returns the index of its '[' (or -1).</summary>
    private static int FindCpuField(ReadOnlySpan<byte> s, out int cpu, out int close)
    {
        cpu = -1;
        close = -1;
        int from = 0;
        while (from < s.Length)
        {
            int open = s[from..].IndexOf((byte)'[');
            if (open < 0)
            {
                return -1;
            }

            open += from;
            var digits = s[(open + 1)..];
            if (SpanText.TryDecimal(ref digits, out long n) && digits.StartsWith("]"u8) && n <= int.MaxValue)
            {
                cpu = (int)n;
                close = s.Length - digits.Length;
                return open;
            }

            from = open + 1;
        }

        return -1;
    }

    /// <summary>The end of the event's name: the first ':' followed by a space or the line's end.</summary>
    private static int EventNameEnd(ReadOnlySpan<byte> s)
    {
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] == (byte)':' && (i + 1 == s.Length || s[i + 1] == (byte)' ' || s[i + 1] == (byte)'\t'))
            {
                return i;
            }

            if (s[i] == (byte)' ')
            {
                return -1; // an event's name has no spaces
            }
        }

        return -1;
    }

    /// <summary>
    /// The thread: trace-cmd's <c>comm-pid</c> with ftrace's optional <c>(tgid)</c>, or perf's <c>comm pid</c> /
    /// <c>comm pid/tid</c>. A comm may hold spaces and dashes, so the pid is taken from the right.
    /// </summary>
    private static bool TryThread(ReadOnlySpan<byte> head, TraceFormat format, out ReadOnlySpan<byte> comm, out int pid, out int tgid)
    {
        comm = default;
        pid = -1;
        tgid = -1;
        if (format == TraceFormat.TraceCmd && head.EndsWith(")"u8))
        {
            int paren = head.LastIndexOf((byte)'(');
            if (paren < 0)
            {
                return false;
            }

            var inside = SpanText.TrimStart(head[(paren + 1)..^1]);
            if (SpanText.TryDecimal(ref inside, out long t) && inside.IsEmpty)
            {
                tgid = (int)t;
            }

            head = SpanText.TrimEnd(head[..paren]);
        }

        int split = format == TraceFormat.Perf ? head.LastIndexOf((byte)' ') : head.LastIndexOf((byte)'-');
        if (split < 0)
        {
            return false;
        }

        var number = head[(split + 1)..];
        if (!SpanText.TryDecimal(ref number, out long first))
        {
            return false;
        }

        if (format == TraceFormat.Perf && SpanText.TrySkip(ref number, "/"u8))
        {
            if (!SpanText.TryDecimal(ref number, out long tid))
            {
                return false;
            }

            tgid = (int)first;
            first = tid;
        }

        if (!number.IsEmpty || first > int.MaxValue)
        {
            return false;
        }

        pid = (int)first;
        comm = format == TraceFormat.Perf ? SpanText.TrimEnd(head[..split]) : head[..split];
        return true;
    }
}
