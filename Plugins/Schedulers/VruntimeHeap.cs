namespace Emu.Plugins.Schedulers;

/// <summary>
/// A pCPU's CFS run queue: a binary min-heap of tasks by (virtual runtime, enqueue sequence), the sequence
/// breaking ties in arrival order so runs are deterministic. It can also give up its best element that a
/// predicate accepts (stealing under affinity). Grows only at start; no allocation afterwards.
/// </summary>
internal sealed class VruntimeHeap
{
    private long[] _key;
    private long[] _seq;
    private int[] _task;
    private int _count;

    public VruntimeHeap(int capacity)
    {
        capacity = Math.Max(4, capacity);
        _key = new long[capacity];
        _seq = new long[capacity];
        _task = new int[capacity];
    }

    public int Count => _count;

    /// <summary>The smallest virtual runtime queued; only meaningful when <see cref="Count"/> &gt; 0.</summary>
    public long MinKey => _key[0];

    public void Push(int task, long key, long seq)
    {
        if (_count == _task.Length)
        {
            Array.Resize(ref _key, _count * 2);
            Array.Resize(ref _seq, _count * 2);
            Array.Resize(ref _task, _count * 2);
        }

        int i = _count++;
        Place(i, task, key, seq);
        SiftUp(i);
    }

    public int PopMin() => _count == 0 ? -1 : RemoveAt(0);

    /// <summary>Removes and returns the task with the smallest (key, seq) that <paramref name="accept"/> accepts, or -1.</summary>
    public int TakeBest<TState>(TState state, Func<TState, int, bool> accept)
    {
        int best = -1;
        for (int i = 0; i < _count; i++)
        {
            if ((best < 0 || Less(i, best)) && accept(state, _task[i]))
            {
                best = i;
            }
        }

        return best < 0 ? -1 : RemoveAt(best);
    }

    /// <summary>The key of a task just removed by <see cref="PopMin"/> or <see cref="TakeBest"/>.</summary>
    public long LastRemovedKey { get; private set; }

    private int RemoveAt(int i)
    {
        int task = _task[i];
        LastRemovedKey = _key[i];
        int last = --_count;
        if (i != last)
        {
            Place(i, _task[last], _key[last], _seq[last]);
            SiftDown(i);
            SiftUp(i);
        }

        return task;
    }

    private bool Less(int a, int b) => _key[a] < _key[b] || (_key[a] == _key[b] && _seq[a] < _seq[b]);

    private void Place(int i, int task, long key, long seq)
    {
        _task[i] = task;
        _key[i] = key;
        _seq[i] = seq;
    }

    private void Swap(int a, int b)
    {
        (_task[a], _task[b]) = (_task[b], _task[a]);
        (_key[a], _key[b]) = (_key[b], _key[a]);
        (_seq[a], _seq[b]) = (_seq[b], _seq[a]);
    }

    private void SiftUp(int i)
    {
        while (i > 0)
        {
            int parent = (i - 1) / 2;
            if (!Less(i, parent))
            {
                return;
            }

            Swap(i, parent);
            i = parent;
        }
    }

    private void SiftDown(int i)
    {
        while (true)
        {
            int left = (2 * i) + 1, smallest = i;
            if (left < _count && Less(left, smallest))
            {
                smallest = left;
            }

            if (left + 1 < _count && Less(left + 1, smallest))
            {
                smallest = left + 1;
            }

            if (smallest == i)
            {
                return;
            }

            Swap(i, smallest);
            i = smallest;
        }
    }
}
