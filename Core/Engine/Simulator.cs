namespace Emu.Core.Engine;

/// <summary>
/// The discrete-event engine: simulated time in nanoseconds, events ordered by (time, sequence),
/// handlers registered per kind, and timer slots with lazy cancellation (a generation per slot).
/// Single-threaded; a larger emulator drives it with <see cref="Step()"/> or <see cref="RunUntil"/>.
/// </summary>
public sealed class Simulator
{
    /// <summary>Below this many cancelled events a compaction would not pay for itself.</summary>
    private const int CompactionMinimum = 32;

    private readonly EventQueue _queue = new();
    // Each kind's handler as its Handle method, bound when the kind is registered: the dispatch then calls through
    // a delegate instead of an interface call whose site sees every handler type (the runtime's resolve stub, a
    // hash lookup per event).
    private HandleEvent?[] _handlers = new HandleEvent?[16];
    private string[] _kindNames = new string[16];
    private int _kindCount;
    private long[] _timerSequence = new long[64]; // the sequence of each timer's live event, -1 if none
    private int _timerCount;

    // Cancelled events still in the queue. A timer re-armed or cancelled long before its time (a LAPIC timer
    // armed at HLT and cancelled by the wake-up) leaves its event behind until it reaches the head; without
    // compaction these outnumber the live events ten to one, and every one of them is moved between buckets.
    private int _cancelledPending;
    private long _sequence;
    private bool _stopRequested;

    /// <summary>Current simulated time, nanoseconds.</summary>
    public long Now { get; private set; }

    /// <summary>Events dispatched so far (stale, cancelled events are not counted).</summary>
    public long EventsDispatched { get; private set; }

    /// <summary>Events waiting, including cancelled ones not yet discarded.</summary>
    public int PendingCount => _queue.Count;

    // Core's run monitor (lost wake-ups, invariants, history) in its own slot, then any number of observers.
    private IEventObserver? _monitor;
    private IEventObserver[] _observers = Array.Empty<IEventObserver>();

    /// <summary>Adds an observer that sees every event after its handler (and after Core's monitor).</summary>
    public void AddObserver(IEventObserver observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        var grown = new IEventObserver[_observers.Length + 1];
        _observers.CopyTo(grown, 0);
        grown[^1] = observer;
        _observers = grown;
    }

    /// <summary>Core's run monitor: set once, by the machine that owns this engine.</summary>
    internal void SetMonitor(IEventObserver monitor)
    {
        if (_monitor is not null)
        {
            throw new InvalidOperationException("the engine already has a run monitor");
        }

        _monitor = monitor;
    }

    /// <summary>The time of the next live event, or <see cref="long.MaxValue"/> when none is left (for co-simulation).</summary>
    public long Peek() => DiscardCancelledHead() ? _queue.Peek().Time : long.MaxValue;

    /// <summary>Registers a handler and returns the new event kind it owns.</summary>
    public int RegisterKind(string name, IEventHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        if (_kindCount == SimEvent.MaxKinds)
        {
            throw new InvalidOperationException($"at most {SimEvent.MaxKinds} event kinds");
        }

        if (_kindCount == _handlers.Length)
        {
            Array.Resize(ref _handlers, _handlers.Length * 2);
            Array.Resize(ref _kindNames, _kindNames.Length * 2);
        }

        _handlers[_kindCount] = handler.Handle;
        _kindNames[_kindCount] = name;
        return _kindCount++;
    }

    public string KindName(int kind) => _kindNames[kind];

    /// <summary>Allocates a timer slot: at most one live event at a time, re-arming cancels the previous one.</summary>
    public int AllocateTimer()
    {
        if (_timerCount == _timerSequence.Length)
        {
            Array.Resize(ref _timerSequence, _timerSequence.Length * 2);
        }

        _timerSequence[_timerCount] = -1;
        return _timerCount++;
    }

    /// <summary>Schedules an event that cannot be cancelled.</summary>
    public void Schedule(long time, int kind, int subject, int argument = 0)
    {
        CheckTime(time);
        _queue.Push(time, _sequence++, kind, subject, argument, EventQueue.NoTimer);
    }

    /// <summary>Arms a timer slot, cancelling whatever it held.</summary>
    public void Arm(int timer, long time, int kind, int subject)
    {
        CheckTime(time);
        long sequence = _sequence++;
        ref long slot = ref _timerSequence[timer];
        bool superseded = slot >= 0;
        slot = sequence; // before a compaction NoteCancelled may run: the superseded event is dead by then
        if (superseded)
        {
            NoteCancelled();
        }

        _queue.Push(time, sequence, kind, subject, 0, timer);
    }

    /// <summary>
    /// Cancels the timer's pending event, if any. Lazy: the event stays in the queue until it reaches the head,
    /// or until cancelled events outnumber live ones and the queue is compacted.
    /// </summary>
    public void Cancel(int timer)
    {
        ref long slot = ref _timerSequence[timer];
        if (slot >= 0)
        {
            slot = -1;
            NoteCancelled();
        }
    }

    /// <summary>One more cancelled event in the queue; compacts when they are more than half of it.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private void NoteCancelled()
    {
        if (++_cancelledPending > CompactionMinimum && _cancelledPending * 2 > _queue.Count)
        {
            Compact();
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private void Compact()
    {
        _queue.RemoveCancelled(_timerSequence);
        _cancelledPending = 0;
    }

    /// <summary>Dispatches the next live event. Returns false when nothing is left.</summary>
    public bool Step()
    {
        if (!DiscardCancelledHead())
        {
            return false;
        }

        DispatchHead();
        return true;
    }

    /// <summary>
    /// Dispatches up to <paramref name="count"/> live events in one tight loop (or fewer if the queue empties or
    /// <see cref="Stop"/> is called); returns how many it dispatched.
    /// </summary>
    public int Step(int count)
    {
        _stopRequested = false;
        int done = 0;
        while (done < count && !_stopRequested && DiscardCancelledHead())
        {
            DispatchHead();
            done++;
        }

        return done;
    }

    /// <summary>Runs every event with time &lt;= <paramref name="until"/>, then sets the clock to it.</summary>
    public void RunUntil(long until)
    {
        _stopRequested = false;
        while (!_stopRequested && DiscardCancelledHead() && _queue.Peek().Time <= until)
        {
            DispatchHead();
        }

        if (!_stopRequested && until > Now)
        {
            Now = until;
        }
    }

    /// <summary>Runs until no event is left or <see cref="Stop"/> is called.</summary>
    public void Run()
    {
        _stopRequested = false;
        while (!_stopRequested && DiscardCancelledHead())
        {
            DispatchHead();
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private bool IsCancelled(in SimEvent e) => e.Timer != EventQueue.NoTimer && _timerSequence[e.Timer] != e.Sequence;

    /// <summary>Takes the (live) head and runs its handler; the event leaves the queue before the handler runs.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private void DispatchHead()
    {
        SimEvent e = _queue.Pop();
        Now = e.Time;
        EventsDispatched++;
        int timer = e.Timer;
        if (timer != EventQueue.NoTimer)
        {
            _timerSequence[timer] = -1; // fired: the slot holds no event now, so re-arming it cancels nothing
        }

        // Kinds index the handler table by construction (RegisterKind hands them out): no bounds check needed.
        System.Runtime.CompilerServices.Unsafe.Add(ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(_handlers), e.Kind)!(in e);
        _monitor?.AfterEvent(in e);
        var observers = _observers;
        for (int i = 0; i < observers.Length; i++)
        {
            observers[i].AfterEvent(in e);
        }
    }

    /// <summary>
    /// Pops cancelled events off the head so that the head is live; false when the queue is empty.
    /// Without this, a cancelled head before the horizon would let a live event beyond it be dispatched.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private bool DiscardCancelledHead()
    {
        while (_queue.Count > 0)
        {
            if (!IsCancelled(in _queue.Peek()))
            {
                return true;
            }

            _queue.Pop();
            _cancelledPending--;
        }

        return false;
    }

    /// <summary>Stops <see cref="Run"/> or <see cref="RunUntil"/> after the current event.</summary>
    public void Stop() => _stopRequested = true;

    public bool StopRequested => _stopRequested;

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private void CheckTime(long time)
    {
        if (time < Now)
        {
            ThrowBeforeNow(time, Now); // out of line, so that the hot path inlines
        }
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void ThrowBeforeNow(long time, long now) =>
        throw new InvalidOperationException($"Cannot schedule an event at {time} ns, before the current time {now} ns.");
}
