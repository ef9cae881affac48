namespace Emu.Plugins.Schedulers;

/// <summary>A FIFO of task ids that can also give up an element from its middle (for stealing under affinity).</summary>
internal sealed class TaskQueue
{
    private int[] _items;
    private int _head;
    private int _count;

    public TaskQueue(int capacity = 8)
    {
        _items = new int[Math.Max(1, capacity)];
    }

    public int Count => _count;

    public void Enqueue(int task)
    {
        if (_count == _items.Length)
        {
            var bigger = new int[_items.Length * 2];
            for (int i = 0; i < _count; i++)
            {
                bigger[i] = _items[(_head + i) % _items.Length];
            }

            _items = bigger;
            _head = 0;
        }

        _items[(_head + _count) % _items.Length] = task;
        _count++;
    }

    /// <summary>Removes and returns the first task accepted by <paramref name="accept"/>, or -1.</summary>
    public int TakeFirst<TState>(TState state, Func<TState, int, bool> accept)
    {
        for (int i = 0; i < _count; i++)
        {
            int idx = (_head + i) % _items.Length;
            int task = _items[idx];
            if (accept(state, task))
            {
                RemoveAt(i);
                return task;
            }
        }

        return -1;
    }

    public int Dequeue()
    {
        if (_count == 0)
        {
            return -1;
        }

        int task = _items[_head];
        _head = (_head + 1) % _items.Length;
        _count--;
        return task;
    }

    private void RemoveAt(int offset)
    {
        for (int i = offset; i > 0; i--)
        {
            _items[(_head + i) % _items.Length] = _items[(_head + i - 1) % _items.Length];
        }

        _head = (_head + 1) % _items.Length;
        _count--;
    }
}
