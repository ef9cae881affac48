namespace Emu.Core.Engine;

/// <summary>
/// The discrete-event engine: simulated time in nanoseconds, events ordered by (time, sequence),
/// handlers registered per kind, and timer slots with lazy cancellation (a generation per slot).
/// Single-threaded; a larger emulator drives it with <see cref="Step"/> or <see cref="RunUntil"/>.
/// </summary>
public sealed class Simulator
{
    private readonly EventQueue _queue = new();
    private IEventHandler?[] _handlers = new IEventHandler?[16];
    private string[] _kindNames = new string[16];
    private int _kindCount;
    private int[] _timerGeneration = new int[64];
    private int _timerCount;
    private long _sequence;
    private bool _stopRequested;

    /// <summary>Current simulated time, nanoseconds.</summary>
    public long Now { get; private set; }

    /// <summary>Events dispatched so far (stale, cancelled events are not counted).</summary>
    public long EventsDispatched { get; private set; }

    /// <summary>Events waiting, including cancelled ones not yet discarded.</summary>
    public int PendingCount => _queue.Count;

    /// <summary>Called after every dispatched event; used by invariant checks and observers.</summary>
    public Action<SimEvent>? AfterEvent { get; set; }

    /// <summary>Registers a handler and returns the new event kind it owns.</summary>
    public int RegisterKind(string name, IEventHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        if (_kindCount == _handlers.Length)
        {
            Array.Resize(ref _handlers, _handlers.Length * 2);
            Array.Resize(ref _kindNames, _kindNames.Length * 2);
        }

        _handlers[_kindCount] = handler;
        _kindNames[_kindCount] = name;
        return _kindCount++;
    }

    public string KindName(int kind) => _kindNames[kind];

    /// <summary>Allocates a timer slot: at most one live event at a time, re-arming cancels the previous one.</summary>
    public int AllocateTimer()
    {
        if (_timerCount == _timerGeneration.Length)
        {
            Array.Resize(ref _timerGeneration, _timerGeneration.Length * 2);
        }

        return _timerCount++;
    }

    /// <summary>Schedules an event that cannot be cancelled.</summary>
    public void Schedule(long time, int kind, int subject, long argument = 0)
    {
        CheckTime(time);
        _queue.Push(new SimEvent(time, _sequence++, kind, subject, argument, EventQueue.NoTimer, 0));
    }

    /// <summary>Arms a timer slot, cancelling whatever it held.</summary>
    public void Arm(int timer, long time, int kind, int subject, long argument = 0)
    {
        CheckTime(time);
        int generation = ++_timerGeneration[timer];
        _queue.Push(new SimEvent(time, _sequence++, kind, subject, argument, timer, generation));
    }

    /// <summary>Cancels the timer's pending event, if any. Lazy: the event is discarded when it reaches the head.</summary>
    public void Cancel(int timer) => _timerGeneration[timer]++;

    /// <summary>Dispatches the next live event. Returns false when nothing is left.</summary>
    public bool Step()
    {
        while (_queue.Count > 0)
        {
            SimEvent e = _queue.Pop();
            if (e.Timer != EventQueue.NoTimer && _timerGeneration[e.Timer] != e.Generation)
            {
                continue;
            }

            Now = e.Time;
            EventsDispatched++;
            _handlers[e.Kind]!.Handle(in e);
            AfterEvent?.Invoke(e);
            return true;
        }

        return false;
    }

    /// <summary>Runs every event with time &lt;= <paramref name="until"/>, then sets the clock to it.</summary>
    public void RunUntil(long until)
    {
        _stopRequested = false;
        while (!_stopRequested && DiscardCancelledHead() && _queue.Peek().Time <= until)
        {
            Step();
        }

        if (!_stopRequested && until > Now)
        {
            Now = until;
        }
    }

    /// <summary>
    /// Pops cancelled events off the head so that the head is live; false when the queue is empty.
    /// Without this, a cancelled head before the horizon would let Step dispatch a live event beyond it.
    /// </summary>
    private bool DiscardCancelledHead()
    {
        while (_queue.Count > 0)
        {
            ref readonly SimEvent head = ref _queue.Peek();
            if (head.Timer == EventQueue.NoTimer || _timerGeneration[head.Timer] == head.Generation)
            {
                return true;
            }

            _queue.Pop();
        }

        return false;
    }

    /// <summary>Runs until no event is left or <see cref="Stop"/> is called.</summary>
    public void Run()
    {
        _stopRequested = false;
        while (!_stopRequested && Step())
        {
        }
    }

    /// <summary>Stops <see cref="Run"/> or <see cref="RunUntil"/> after the current event.</summary>
    public void Stop() => _stopRequested = true;

    public bool StopRequested => _stopRequested;

    private void CheckTime(long time)
    {
        if (time < Now)
        {
            throw new InvalidOperationException($"Cannot schedule an event at {time} ns, before the current time {Now} ns.");
        }
    }
}
