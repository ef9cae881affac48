namespace Emu.Core.Engine;

/// <summary>
/// A 4-ary min-heap of <see cref="SimEvent"/> ordered by (time, sequence). Specialised rather than
/// <see cref="PriorityQueue{TElement,TPriority}"/> so that the comparison inlines and nothing is boxed.
/// </summary>
internal sealed class EventQueue
{
    public const int NoTimer = -1;
    private const int Arity = 4;

    private SimEvent[] _heap;
    private int _count;

    public EventQueue(int initialCapacity = 1024)
    {
        _heap = new SimEvent[Math.Max(16, initialCapacity)];
    }

    public int Count => _count;

    public ref readonly SimEvent Peek() => ref _heap[0];

    public void Push(in SimEvent item)
    {
        if (_count == _heap.Length)
        {
            Array.Resize(ref _heap, _heap.Length * 2);
        }

        var heap = _heap;
        int i = _count++;
        while (i > 0)
        {
            int parent = (i - 1) / Arity;
            ref SimEvent p = ref heap[parent];
            if (!Less(in item, in p))
            {
                break;
            }

            heap[i] = p;
            i = parent;
        }

        heap[i] = item;
    }

    public SimEvent Pop()
    {
        var heap = _heap;
        SimEvent top = heap[0];
        int last = --_count;
        if (last > 0)
        {
            SiftDown(heap, heap[last], last);
        }

        return top;
    }

    private static void SiftDown(SimEvent[] heap, SimEvent item, int count)
    {
        int i = 0;
        while (true)
        {
            int first = (i * Arity) + 1;
            if (first >= count)
            {
                break;
            }

            int best = first;
            int end = Math.Min(first + Arity, count);
            for (int c = first + 1; c < end; c++)
            {
                if (Less(in heap[c], in heap[best]))
                {
                    best = c;
                }
            }

            if (!Less(in heap[best], in item))
            {
                break;
            }

            heap[i] = heap[best];
            i = best;
        }

        heap[i] = item;
    }

    private static bool Less(in SimEvent a, in SimEvent b) =>
        a.Time < b.Time || (a.Time == b.Time && a.Sequence < b.Sequence);
}
