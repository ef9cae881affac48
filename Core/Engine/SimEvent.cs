namespace Emu.Core.Engine;

/// <summary>
/// One scheduled event: a small value type so that the queue allocates nothing per event.
/// <see cref="Kind"/> selects the handler; <see cref="Subject"/> and <see cref="Argument"/> are the handler's to interpret.
/// </summary>
public readonly struct SimEvent
{
    public SimEvent(long time, long sequence, int kind, int subject, long argument, int timer, int generation)
    {
        Time = time;
        Sequence = sequence;
        Kind = kind;
        Subject = subject;
        Argument = argument;
        Timer = timer;
        Generation = generation;
    }

    /// <summary>Simulated time in nanoseconds.</summary>
    public long Time { get; }

    /// <summary>Insertion order; breaks ties between equal times so that runs are deterministic.</summary>
    public long Sequence { get; }

    public int Kind { get; }
    public int Subject { get; }
    public long Argument { get; }

    /// <summary>The timer slot this event was armed on, or <see cref="EventQueue.NoTimer"/>.</summary>
    public int Timer { get; }

    /// <summary>The slot's generation when armed; a later re-arm or cancel makes this event stale.</summary>
    public int Generation { get; }
}
