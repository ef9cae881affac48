namespace Emu.Core.Engine;

/// <summary>
/// One scheduled event, 24 bytes (a bare PriorityQueue node's size; the queue keeps it in a 32-byte node with its link):
/// the time, an ordering key, the subject, and one 32-bit payload that is the timer slot of a timer event or
/// the argument of a plain one. The key holds the sequence number in its high 48 bits (ordering by the key
/// is ordering by insertion, since sequences are unique), then a timer flag and the 15-bit kind.
/// </summary>
public readonly struct SimEvent
{
    /// <summary>Kinds fit in 15 bits.</summary>
    public const int MaxKinds = 1 << 15;

    private const long TimerFlag = 1L << 15;
    private const long KindMask = TimerFlag - 1;

    // Declared in this order (8, 8, 4, 4 bytes) so that sequential layout packs them without padding.
    private readonly long _time;
    private readonly long _key;
    private readonly int _subject;
    private readonly int _payload;

    public SimEvent(long time, long sequence, int kind, int subject, int argument, int timer)
    {
        _time = time;
        _subject = subject;
        bool isTimer = timer >= 0;
        _key = OrderKeyOf(sequence, kind, isTimer);
        _payload = isTimer ? timer : argument;
    }

    /// <summary>When the event happens, simulated ns.</summary>
    public long Time => _time;

    /// <summary>The tie-break among equal times: insertion order.</summary>
    public long Sequence => _key >> 16;

    public int Kind => (int)(_key & KindMask);

    public int Subject => _subject;

    /// <summary>The handler's own 32-bit argument (0 for timer events).</summary>
    public int Argument => (_key & TimerFlag) != 0 ? 0 : _payload;

    /// <summary>The timer slot that owns the event, or -1.</summary>
    public int Timer => (_key & TimerFlag) != 0 ? _payload : -1;

    /// <summary>The ordering key after <see cref="Time"/>.</summary>
    internal long OrderKey => _key;

    internal static long OrderKeyOf(long sequence, int kind, bool isTimer) =>
        (sequence << 16) | (isTimer ? TimerFlag : 0) | (kind & KindMask);
}
