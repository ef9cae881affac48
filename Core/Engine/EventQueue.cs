using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Emu.Core.Engine;

/// <summary>
/// The engine's queue of <see cref="SimEvent"/>, ordered by (time, sequence): a radix heap with 256-way digits (a
/// hierarchical timing wheel relative to the last head). A discrete-event queue is monotone (nothing is scheduled
/// before the head last taken), which is what a radix heap needs. An event goes to the bucket of the highest byte in
/// which its time differs from the base, at that byte's value; when the events at the base run out, the lowest
/// non-empty bucket's lower bound becomes the base and its events move down a level (or become the events at the
/// base). So a push is an XOR, a leading-zero count and a link, and an event moves about once per byte of its
/// distance (once or twice), never compared with other events except for ties at one time. The 4-ary heap this
/// replaced sifted each head down through several cache lines, and a binary radix heap moved each event four
/// times on average; docs/benchmarks.md ("Performance II") has what each bought.
/// Events live in one pool of nodes, each bucket a singly linked list through them: moving an event re-links it
/// instead of copying it, and memory grows only with the number of pending events.
/// </summary>
internal sealed class EventQueue
{
    public const int NoTimer = -1;

    // Times are non-negative longs: 63 bits, eight bytes.
    private const int Levels = 8;
    private const int Digits = 256;
    private const int None = -1;

    private struct Node
    {
        public SimEvent Event;
        public int Next;
    }

    private readonly int[] _first = new int[Levels * Digits];      // each bucket's first node, or None
    private readonly ulong[] _occupied = new ulong[Levels * Digits / 64]; // one bit per non-empty bucket
    private int _levels;      // one bit per level with a non-empty bucket
    private Node[] _nodes;
    private int _free = None; // recycled nodes, most recent first
    private int _unused;      // nodes at and above this index were never used
    private long _base;       // every bucket is relative to this time; no pending event is before it
    private int _atBase = None;     // the events at the base time, in sequence order
    private int _atBaseLast = None; // its last node, where a new event at the base time goes
    private int _count;

    public EventQueue(int initialCapacity = 1024)
    {
        _nodes = new Node[Math.Max(16, initialCapacity)];
        Array.Fill(_first, None);
    }

    public int Count => _count;

    /// <summary>The head (the least event); the queue must not be empty.</summary>
    public ref readonly SimEvent Peek()
    {
        if (_atBase == None)
        {
            Advance();
        }

        return ref _nodes[_atBase].Event;
    }

    /// <summary>Removes and returns the head; the queue must not be empty.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public SimEvent Pop()
    {
        if (_atBase == None)
        {
            Advance();
        }

        int node = _atBase;
        ref Node n = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_nodes), node);
        SimEvent head = n.Event;
        _atBase = n.Next;
        if (_atBase == None)
        {
            _atBaseLast = None;
        }

        n.Next = _free;
        _free = node;
        _count--;
        return head;
    }

    /// <summary>Inserts a new event. An event before the base (a co-simulation scheduling at its clock after a peek
    /// at a later head) re-bases the buckets first: rare, and O(n).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Push(long time, long sequence, int kind, int subject, int argument, int timer)
    {
        if (time < _base)
        {
            Rebase(time);
        }

        int node = _free;
        if (node != None)
        {
            _free = Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_nodes), node).Next;
        }
        else
        {
            if (_unused == _nodes.Length)
            {
                Grow();
            }

            node = _unused++;
        }

        ref Node n = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_nodes), node);
        n.Event = new SimEvent(time, sequence, kind, subject, argument, timer);
        if (time == _base)
        {
            Append(ref _atBase, ref _atBaseLast, node); // the newest sequence: last among the events at the base time
        }
        else
        {
            Link(node, time);
        }

        _count++;
    }

    /// <summary>
    /// Drops every event that <paramref name="timerSequence"/> says was cancelled (a timer event whose slot holds
    /// another sequence). The order of what is left does not change: removing events moves no base.
    /// </summary>
    public void RemoveCancelled(long[] timerSequence)
    {
        for (int b = 0; b < _first.Length; b++)
        {
            if (_first[b] != None)
            {
                _first[b] = Filter(_first[b], timerSequence, out _);
                if (_first[b] == None)
                {
                    _occupied[b >> 6] &= ~(1UL << b);
                }
            }
        }

        for (int level = 0; level < Levels; level++)
        {
            if (OccupiedIn(level) == 0)
            {
                _levels &= ~(1 << level);
            }
        }

        _atBase = Filter(_atBase, timerSequence, out _atBaseLast);
    }

    /// <summary>The list without its cancelled events, in the same order; <paramref name="last"/> its last node.</summary>
    private int Filter(int list, long[] timerSequence, out int last)
    {
        int first = None;
        last = None;
        for (int node = list; node != None;)
        {
            ref Node n = ref _nodes[node];
            int next = n.Next;
            int timer = n.Event.Timer;
            if (timer == NoTimer || timerSequence[timer] == n.Event.Sequence)
            {
                Append(ref first, ref last, node);
            }
            else
            {
                n.Next = _free;
                _free = node;
                _count--;
            }

            node = next;
        }

        return first;
    }

    /// <summary>Appends a node to the list from <paramref name="first"/> to <paramref name="last"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Append(ref int first, ref int last, int node)
    {
        Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_nodes), node).Next = None;
        if (last == None)
        {
            first = node;
        }
        else
        {
            _nodes[last].Next = node;
        }

        last = node;
    }

    /// <summary>Links a node whose time is after the base into the bucket of the highest byte that differs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Link(int node, long time)
    {
        int level = (63 - BitOperations.LeadingZeroCount((ulong)(time ^ _base))) >> 3;
        int bucket = (level << 8) | (int)((ulong)time >> (level << 3) & 0xFF);
        ref int first = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_first), bucket);
        Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_nodes), node).Next = first;
        first = node;
        Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_occupied), bucket >> 6) |= 1UL << bucket;
        _levels |= 1 << level;
    }

    private ulong OccupiedIn(int level)
    {
        int w = level * (Digits / 64);
        return _occupied[w] | _occupied[w + 1] | _occupied[w + 2] | _occupied[w + 3];
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Grow() => Array.Resize(ref _nodes, _nodes.Length * 2);

    /// <summary>
    /// No event is left at the base: the lowest non-empty bucket's lower bound becomes the base, and its events move
    /// to lower levels or, those at the new base, become the events at the base, sorted by sequence. Repeats until
    /// there are events at the base (the queue must not be empty).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Advance()
    {
        while (_atBase == None)
        {
            int level = BitOperations.TrailingZeroCount(_levels);
            int w = level * (Digits / 64);
            while (_occupied[w] == 0)
            {
                w++;
            }

            int bucket = (w << 6) | BitOperations.TrailingZeroCount(_occupied[w]);
            _occupied[w] &= ~(1UL << bucket);
            if (OccupiedIn(level) == 0)
            {
                _levels &= ~(1 << level);
            }

            int list = _first[bucket];
            _first[bucket] = None;
            int shift = level << 3;
            long prefix = level == Levels - 1 ? 0 : _base & (-1L << (shift + 8));
            _base = prefix | ((long)(bucket & 0xFF) << shift);

            for (int node = list; node != None;)
            {
                ref Node n = ref _nodes[node];
                int next = n.Next;
                if (n.Event.Time == _base)
                {
                    n.Next = _atBase;
                    _atBase = node;
                }
                else
                {
                    Link(node, n.Event.Time);
                }

                node = next;
            }
        }

        if (_nodes[_atBase].Next == None)
        {
            _atBaseLast = _atBase; // one event at its time, as most are: nothing to sort
            return;
        }

        SortAtBase();
    }

    /// <summary>Sorts the events at the base by sequence (insertion sort: usually one event, a few at a tie).</summary>
    private void SortAtBase()
    {
        int sorted = None;
        int last = None;
        for (int node = _atBase; node != None;)
        {
            ref Node n = ref _nodes[node];
            int next = n.Next;
            long key = n.Event.OrderKey;
            if (sorted == None || key < _nodes[sorted].Event.OrderKey)
            {
                n.Next = sorted;
                sorted = node;
                if (last == None)
                {
                    last = node;
                }
            }
            else
            {
                int at = sorted;
                while (_nodes[at].Next != None && _nodes[_nodes[at].Next].Event.OrderKey < key)
                {
                    at = _nodes[at].Next;
                }

                n.Next = _nodes[at].Next;
                _nodes[at].Next = node;
                if (n.Next == None)
                {
                    last = node;
                }
            }

            node = next;
        }

        _atBase = sorted;
        _atBaseLast = last;
    }

    /// <summary>Makes <paramref name="time"/> the base and re-links everything relative to it (every event is after it).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Rebase(long time)
    {
        // Chain every bucket and the events at the old base into one list, then link each node against the new base.
        int all = None;
        for (int b = 0; b < _first.Length; b++)
        {
            all = Chain(_first[b], all);
            _first[b] = None;
        }

        all = Chain(_atBase, all);
        _atBase = None;
        _atBaseLast = None;
        Array.Clear(_occupied);
        _levels = 0;
        _base = time;
        for (int node = all; node != None;)
        {
            ref Node n = ref _nodes[node];
            int next = n.Next;
            Link(node, n.Event.Time); // every event is after the new base: none is at it
            node = next;
        }
    }

    private int Chain(int list, int onto)
    {
        for (int node = list; node != None;)
        {
            ref Node n = ref _nodes[node];
            int next = n.Next;
            n.Next = onto;
            onto = node;
            node = next;
        }

        return onto;
    }
}
