namespace Emu.Host.Traces;

/// <summary>
/// sched_switch, in the kernel's TP_printk form (ftrace, perf script):
/// <c>prev_comm=%s prev_pid=%d prev_prio=%d prev_state=%s%s ==> next_comm=%s next_pid=%d next_prio=%d</c>,
/// or as trace-cmd's sched_switch plugin prints it: <c>%s:%d [%d] %s ==> %s:%d [%d]</c>. A comm may hold spaces
/// and colons, so the fields are found from their labels and from the right.
/// </summary>
internal static class SchedSwitchFields
{
    public const string Shape = "'prev_comm=<comm> prev_pid=<pid> prev_prio=<prio> prev_state=<state> ==> next_comm=<comm> next_pid=<pid> next_prio=<prio>' or '<comm>:<pid> [<prio>] <state> ==> <comm>:<pid> [<prio>]'";

    /// <summary>
    /// The switch: the task that leaves (its pid and whether it sleeps: a state other than R, R+) and the one that
    /// comes; the comms are the raw bytes.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> fields, out int prevPid, out bool prevSleeps, out ReadOnlySpan<byte> prevComm, out int nextPid, out ReadOnlySpan<byte> nextComm)
    {
        prevPid = nextPid = -1;
        prevSleeps = false;
        prevComm = nextComm = default;
        int arrow = fields.IndexOf(" ==> "u8);
        if (arrow < 0)
        {
            return false;
        }

        var prev = fields[..arrow];
        var next = fields[(arrow + 5)..];
        return prev.StartsWith("prev_comm="u8)
            ? TryLabelled(prev, "prev_comm="u8, " prev_pid="u8, out prevComm, out prevPid) && TryLabelledState(prev, out prevSleeps)
                && TryLabelled(next, "next_comm="u8, " next_pid="u8, out nextComm, out nextPid)
            : TryPlugin(prev, out prevComm, out prevPid, out var state) && TryPlugin(next, out nextComm, out nextPid, out _)
                && TryState(state, out prevSleeps);
    }

    private static bool TryLabelled(ReadOnlySpan<byte> part, ReadOnlySpan<byte> commLabel, ReadOnlySpan<byte> pidLabel, out ReadOnlySpan<byte> comm, out int pid)
    {
        comm = default;
        pid = -1;
        int at = part.LastIndexOf(pidLabel);
        if (!part.StartsWith(commLabel) || at < commLabel.Length)
        {
            return false;
        }

        comm = part[commLabel.Length..at];
        var rest = part[(at + pidLabel.Length)..];
        if (!SpanText.TryDecimal(ref rest, out long n) || n > int.MaxValue)
        {
            return false;
        }

        pid = (int)n;
        return true;
    }

    private static bool TryLabelledState(ReadOnlySpan<byte> prev, out bool sleeps)
    {
        sleeps = false;
        int at = prev.LastIndexOf(" prev_state="u8);
        if (at < 0)
        {
            return false;
        }

        var state = prev[(at + " prev_state=".Length)..];
        return TryState(SpanText.Word(ref state), out sleeps);
    }

    /// <summary>trace-cmd's plugin: <c>comm:pid [prio]</c>, then on the prev side the state.</summary>
    private static bool TryPlugin(ReadOnlySpan<byte> part, out ReadOnlySpan<byte> comm, out int pid, out ReadOnlySpan<byte> state)
    {
        comm = state = default;
        pid = -1;
        int bracket = part.LastIndexOf(" ["u8);
        if (bracket < 0)
        {
            return false;
        }

        var thread = part[..bracket];
        int colon = thread.LastIndexOf((byte)':');
        var number = colon < 0 ? ReadOnlySpan<byte>.Empty : thread[(colon + 1)..];
        if (colon < 0 || !SpanText.TryDecimal(ref number, out long n) || !number.IsEmpty || n > int.MaxValue)
        {
            return false;
        }

        int close = part[bracket..].IndexOf((byte)']');
        if (close < 0)
        {
            return false;
        }

        comm = thread[..colon];
        pid = (int)n;
        state = SpanText.TrimStart(part[(bracket + close + 1)..]);
        return true;
    }

    /// <summary>R (runnable: preempted), R+ (preempted), otherwise asleep: S, D, I, T, ... and their combinations.</summary>
    private static bool TryState(ReadOnlySpan<byte> state, out bool sleeps)
    {
        sleeps = false;
        if (state.IsEmpty)
        {
            return false;
        }

        sleeps = state[0] != (byte)'R';
        return true;
    }
}
