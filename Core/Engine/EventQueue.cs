using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Emu.Core.Engine;

/// <summary>
/// A 4-ary min-heap of <see cref="SimEvent"/> ordered by (time, sequence). Specialised rather than
/// <see cref="PriorityQueue{TElement,TPriority}"/> so that the comparison inlines, nothing is boxed, and the
/// sift loops walk the array by reference without bounds checks (indexes are kept below the count).
/// </summary>
internal sealed class EventQueue
{
    public const int NoTimer = -1;
    private const int Log2Arity = 2;

    private SimEvent[] _heap;
    private int _count; // slots in use, the root hole included
    private bool _hole; // the root's event was taken for dispatch and nothing has filled its slot yet

    public EventQueue(int initialCapacity = 1024)
    {
        _heap = new SimEvent[Math.Max(16, initialCapacity)];
    }

    public int Count => _hole ? _count - 1 : _count;

    public ref readonly SimEvent Peek()
    {
        if (_hole)
        {
            CloseHole();
        }

        return ref _heap[0];
    }

    /// <summary>
    /// Takes the head for dispatch and leaves its slot empty. The handler's first new event usually belongs near
    /// the top (it is due soon), so it fills the root with a short sift down; a pop would instead sift the last
    /// leaf all the way down and the push would then sift the new event back up.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public SimEvent TakeHead()
    {
        if (_hole)
        {
            CloseHole();
        }

        _hole = true;
        return _heap[0];
    }

    /// <summary>Fills the root hole with the last event, as a pop would have (nothing was pushed into it).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void CloseHole()
    {
        if (!_hole)
        {
            return;
        }

        _hole = false;
        ref SimEvent root = ref MemoryMarshal.GetArrayDataReference(_heap);
        int last = --_count;
        if (last > 0)
        {
            SiftDown(ref root, in Unsafe.Add(ref root, last), last);
        }
    }

    /// <summary>Inserts a new event, building it in its final slot once the sift-up has found it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Push(long time, long sequence, int kind, int subject, int argument, int timer)
    {
        if (_hole)
        {
            // The root's slot is free: the new event goes down from there (the subtrees below are heaps).
            _hole = false;
            SiftDown(ref MemoryMarshal.GetArrayDataReference(_heap), new SimEvent(time, sequence, kind, subject, argument, timer), _count);
            return;
        }

        if (_count == _heap.Length)
        {
            Grow();
        }

        long key = SimEvent.OrderKeyOf(sequence, kind, timer >= 0);
        ref SimEvent root = ref MemoryMarshal.GetArrayDataReference(_heap);
        int i = _count++;
        while (i > 0)
        {
            int parent = (i - 1) >> Log2Arity;
            ref SimEvent p = ref Unsafe.Add(ref root, parent);
            if (!(time < p.Time || (time == p.Time && key < p.OrderKey)))
            {
                break;
            }

            Unsafe.Add(ref root, i) = p;
            i = parent;
        }

        Unsafe.Add(ref root, i) = new SimEvent(time, sequence, kind, subject, argument, timer);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Grow() => Array.Resize(ref _heap, _heap.Length * 2);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public SimEvent Pop()
    {
        if (_hole)
        {
            CloseHole();
        }

        ref SimEvent root = ref MemoryMarshal.GetArrayDataReference(_heap);
        SimEvent top = root;
        int last = --_count;
        if (last > 0)
        {
            SiftDown(ref root, in Unsafe.Add(ref root, last), last);
        }

        return top;
    }

    /// <summary>
    /// Drops every event that <paramref name="timerSequence"/> says was cancelled (a timer event whose slot holds
    /// another sequence) and rebuilds the heap from what is left. The order of the live events does not change:
    /// (time, sequence) is a total order, so any heap of them pops the same sequence.
    /// </summary>
    public void RemoveCancelled(long[] timerSequence)
    {
        CloseHole();
        ref SimEvent root = ref MemoryMarshal.GetArrayDataReference(_heap);
        int kept = 0;
        for (int i = 0; i < _count; i++)
        {
            ref SimEvent e = ref Unsafe.Add(ref root, i);
            int timer = e.Timer;
            if (timer == NoTimer || timerSequence[timer] == e.Sequence)
            {
                Unsafe.Add(ref root, kept++) = e;
            }
        }

        _count = kept; // events hold no references: the slots past the count need no clearing

        // Floyd's heap construction: sift every parent down, last first.
        for (int i = (kept - 2) >> Log2Arity; i >= 0; i--)
        {
            SiftDown(ref root, in Unsafe.Add(ref root, i), kept, i);
        }
    }

    /// <summary>
    /// Top-down sift of <paramref name="moving"/> from the hole at <paramref name="start"/>, stopping where it fits.
    /// The smallest child is chosen without branches: which child is smallest is a coin flip the branch predictor
    /// gets wrong about half the time, while a masked select costs a few cycles.
    /// </summary>
    private static void SiftDown(ref SimEvent root, in SimEvent moving, int count, int start = 0)
    {
        SimEvent item = moving;
        int i = start;
        int first;
        while ((first = (i << Log2Arity) + 1) < count)
        {
            ref SimEvent firstRef = ref Unsafe.Add(ref root, first);
            int best = first;
            long bestTime = firstRef.Time;
            long bestKey = firstRef.OrderKey;
            int end = Math.Min(first + (1 << Log2Arity), count);
            for (int c = first + 1; c < end; c++)
            {
                ref SimEvent candidate = ref Unsafe.Add(ref root, c);
                long time = candidate.Time;
                long key = candidate.OrderKey;
                // All ones when the candidate is smaller: the JIT does not turn selects in a loop into cmov.
                long take = -(long)Unsafe.BitCast<bool, byte>((time < bestTime) | ((time == bestTime) & (key < bestKey)));
                best = (int)((c & take) | (best & ~take));
                bestTime = (time & take) | (bestTime & ~take);
                bestKey = (key & take) | (bestKey & ~take);
            }

            if (!((bestTime < item.Time) | ((bestTime == item.Time) & (bestKey < item.OrderKey))))
            {
                break;
            }

            Unsafe.Add(ref root, i) = Unsafe.Add(ref root, best);
            i = best;
        }

        Unsafe.Add(ref root, i) = item;
    }
}
