using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Emu.Core.Engine;

/// <summary>
/// A radix heap of <see cref="SimEvent"/> ordered by (time, order key), the 128-bit key <c>time:key</c>.
/// A discrete-event queue is monotone (nothing is scheduled before the head last taken), which is what a
/// radix heap needs (Ahuja, Mehlhorn, Orlin and Tarjan, 1990): bucket b holds the events whose key first differs
/// from the last head's in bit b-1, so a push is one XOR, one leading-zero count and a link, and finding the head
/// empties the lowest non-empty bucket into lower ones. The 4-ary heap it replaced sifted every head down through
/// a cache line or two per level; docs/benchmarks.md ("Performance II") has what the change bought.
/// Events live in one pool of nodes, each bucket a singly linked list through them: moving an event between
/// buckets re-links it instead of copying it, and the memory is the pool's, which grows only with the number of
/// pending events (a bucket's own array would grow with that bucket's peak, so allocation would never settle).
/// Keys are unique (the sequence is), so bucket 0 holds at most the head itself.
/// </summary>
internal sealed class EventQueue
{
    public const int NoTimer = -1;

    // Time and key are non-negative, so their XOR never sets bit 63: buckets 0..63 for a key difference within
    // the same time, 64..127 for a time difference. One occupancy bit each.
    private const int BucketCount = 128;
    private const int None = -1;

    private struct Node
    {
        public SimEvent Event;
        public int Next;
    }

    private readonly int[] _first = new int[BucketCount]; // each bucket's first node, or None
    private Node[] _nodes;
    private int _free = None;  // recycled nodes, most recent first
    private int _unused;       // nodes at and above this index were never used
    private ulong _occupiedLow;  // buckets 0..63
    private ulong _occupiedHigh; // buckets 64..127
    private long _lastTime;      // the key every bucket is relative to: the last head found
    private long _lastKey;
    private int _count;

    public EventQueue(int initialCapacity = 1024)
    {
        _nodes = new Node[Math.Max(16, initialCapacity)];
        Array.Fill(_first, None);
    }

    public int Count => _count;

    /// <summary>The head (the least event); the queue must not be empty.</summary>
    public ref readonly SimEvent Peek() => ref _nodes[Head()].Event;

    /// <summary>Removes and returns the head; the queue must not be empty.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public SimEvent Pop()
    {
        int node = Head();
        ref Node n = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_nodes), node);
        SimEvent head = n.Event;
        n.Next = _free;
        _free = node;
        _first[0] = None;
        _occupiedLow &= ~1UL;
        _count--;
        return head;
    }

    /// <summary>Inserts a new event. An event before the last head found (a co-simulation scheduling at its clock
    /// after a peek at a later head) re-bases the buckets first: rare, and O(n).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Push(long time, long sequence, int kind, int subject, int argument, int timer)
    {
        long key = SimEvent.OrderKeyOf(sequence, kind, timer >= 0);
        if (time < _lastTime || (time == _lastTime && key < _lastKey))
        {
            Rebase(time, key);
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

        Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_nodes), node).Event =
            new SimEvent(time, sequence, kind, subject, argument, timer);
        Link(node, BucketOf(time, key));
        _count++;
    }

    /// <summary>
    /// Drops every event that <paramref name="timerSequence"/> says was cancelled (a timer event whose slot holds
    /// another sequence). The order of what is left does not change: buckets are relative to the last head, which
    /// no removal moves.
    /// </summary>
    public void RemoveCancelled(long[] timerSequence)
    {
        for (int b = 0; b < BucketCount; b++)
        {
            ref int link = ref _first[b];
            while (link != None)
            {
                int node = link;
                ref Node n = ref _nodes[node];
                int timer = n.Event.Timer;
                if (timer == NoTimer || timerSequence[timer] == n.Event.Sequence)
                {
                    link = ref n.Next;
                    continue;
                }

                link = n.Next;
                n.Next = _free;
                _free = node;
                _count--;
            }

            if (_first[b] == None)
            {
                ClearOccupied(b);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int BucketOf(long time, long key)
    {
        ulong high = (ulong)(time ^ _lastTime);
        return high != 0
            ? 128 - BitOperations.LeadingZeroCount(high)
            : 64 - BitOperations.LeadingZeroCount((ulong)(key ^ _lastKey));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Link(int node, int bucket)
    {
        ref int first = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_first), bucket);
        Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_nodes), node).Next = first;
        first = node;
        if (bucket < 64)
        {
            _occupiedLow |= 1UL << bucket;
        }
        else
        {
            _occupiedHigh |= 1UL << (bucket - 64);
        }
    }

    private void ClearOccupied(int bucket)
    {
        if (bucket < 64)
        {
            _occupiedLow &= ~(1UL << bucket);
        }
        else
        {
            _occupiedHigh &= ~(1UL << (bucket - 64));
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Grow() => Array.Resize(ref _nodes, _nodes.Length * 2);

    /// <summary>Makes bucket 0 hold the least event and returns its node.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Head()
    {
        if ((_occupiedLow & 1) == 0)
        {
            Refill();
        }

        return _first[0];
    }

    /// <summary>
    /// Finds the least event of the lowest non-empty bucket, makes it the new base and re-links every event of
    /// that bucket into the bucket it belongs to now: all lower ones (they share the base's bits above the
    /// bucket's), the least one bucket 0.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Refill()
    {
        int b = _occupiedLow != 0
            ? BitOperations.TrailingZeroCount(_occupiedLow)
            : 64 + BitOperations.TrailingZeroCount(_occupiedHigh);
        ref Node nodes = ref MemoryMarshal.GetArrayDataReference(_nodes);
        int list = _first[b];
        _first[b] = None;
        ClearOccupied(b);

        ref Node head = ref Unsafe.Add(ref nodes, list);
        long bestTime = head.Event.Time;
        long bestKey = head.Event.OrderKey;
        for (int node = head.Next; node != None;)
        {
            ref Node n = ref Unsafe.Add(ref nodes, node);
            long time = n.Event.Time;
            long key = n.Event.OrderKey;
            // All ones when this event is less: a masked select, since which one is least is a coin flip.
            long take = -(long)Unsafe.BitCast<bool, byte>((time < bestTime) | ((time == bestTime) & (key < bestKey)));
            bestTime = (time & take) | (bestTime & ~take);
            bestKey = (key & take) | (bestKey & ~take);
            node = n.Next;
        }

        _lastTime = bestTime;
        _lastKey = bestKey;
        for (int node = list; node != None;)
        {
            ref Node n = ref Unsafe.Add(ref nodes, node);
            int next = n.Next;
            Link(node, BucketOf(n.Event.Time, n.Event.OrderKey));
            node = next;
        }
    }

    /// <summary>Makes (time, key) the base and re-links everything relative to it (every event is above it).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Rebase(long time, long key)
    {
        // Chain every bucket into one list, then re-link each node against the new base.
        int all = None;
        for (int b = 0; b < BucketCount; b++)
        {
            for (int node = _first[b]; node != None;)
            {
                ref Node n = ref _nodes[node];
                int next = n.Next;
                n.Next = all;
                all = node;
                node = next;
            }

            _first[b] = None;
        }

        _occupiedLow = 0;
        _occupiedHigh = 0;
        _lastTime = time;
        _lastKey = key;
        for (int node = all; node != None;)
        {
            ref Node n = ref _nodes[node];
            int next = n.Next;
            Link(node, BucketOf(n.Event.Time, n.Event.OrderKey));
            node = next;
        }
    }
}
