using Emu.Core.Engine;
using Emu.Core.Randomness;

namespace Emu.Tests;

/// <summary>
/// The engine's radix-heap queue against .NET's <see cref="PriorityQueue{TElement,TPriority}"/> ordered by
/// (time, sequence): the same operations must pop the same events in the same order, including the cases a radix
/// heap finds hard (ties in time, an event before a head that was only peeked at, compaction, times far apart).
/// </summary>
public class EventQueueTests
{
    private static void Drain(EventQueue queue, PriorityQueue<long, (long, long)> reference, List<long> popped)
    {
        while (reference.Count > 0)
        {
            Assert.That(queue.Count, Is.EqualTo(reference.Count));
            SimEvent e = queue.Pop();
            long expected = reference.Dequeue();
            Assert.That(e.Sequence, Is.EqualTo(expected), "the queue pops in (time, sequence) order");
            popped.Add(e.Sequence);
        }

        Assert.That(queue.Count, Is.Zero);
    }

    [TestCase(1L)]
    [TestCase(7L)]
    [TestCase(42L)]
    public void PopsWhatAPriorityQueuePops_UnderRandomMonotonePushesPeeksAndPops(long seed)
    {
        var random = RandomStream.Derive(seed, "event-queue", 0);
        var queue = new EventQueue(16);
        var reference = new PriorityQueue<long, (long, long)>();
        long now = 0;
        long sequence = 0;
        int beforeHead = 0;
        for (int step = 0; step < 200_000; step++)
        {
            int op = random.NextInt(10);
            if (op < 5 || reference.Count == 0)
            {
                // Distances from 0 (a tie with now) to about a second, as a simulation's events are.
                long distance = random.NextInt(4) switch
                {
                    0 => 0,
                    1 => random.NextInt(16),
                    2 => random.NextInt(5_000),
                    _ => random.NextInt(1_000_000_000),
                };
                long time = now + distance;
                if (reference.Count > 0 && reference.TryPeek(out _, out var head) && time < head.Item1)
                {
                    beforeHead++;
                }

                queue.Push(time, sequence, kind: random.NextInt(8), subject: 0, argument: 0, timer: EventQueue.NoTimer);
                reference.Enqueue(sequence, (time, sequence));
                sequence++;
            }
            else if (op < 9)
            {
                SimEvent e = queue.Pop();
                Assert.That(e.Sequence, Is.EqualTo(reference.Dequeue()));
                now = e.Time;
            }
            else
            {
                // A co-simulation peeks at the head and moves its clock up to somewhere before it.
                Assert.That(queue.Peek().Sequence, Is.EqualTo(reference.Peek()));
                long headTime = queue.Peek().Time;
                now += (headTime - now) / 2;
            }
        }

        Assert.That(beforeHead, Is.GreaterThan(100), "the test often pushes before the head (a rebase when that head was peeked at)");
        Drain(queue, reference, new List<long>());
    }

    [Test]
    public void RemoveCancelled_KeepsTheLiveEventsInOrder_AndFreesTheRest()
    {
        var random = RandomStream.Derive(3, "event-queue-cancel", 0);
        var queue = new EventQueue(16);
        var reference = new PriorityQueue<long, (long, long)>();
        const int Timers = 500;
        var live = new long[Timers]; // the live sequence per timer, as the engine's timer slots hold it
        Array.Fill(live, -1);
        long sequence = 0;
        for (int round = 0; round < 20; round++)
        {
            for (int t = 0; t < Timers; t++)
            {
                long time = 1_000 * round + random.NextInt(100_000);
                queue.Push(time, sequence, kind: 1, subject: t, argument: 0, timer: t);
                live[t] = sequence++; // re-arming supersedes the timer's previous event
            }

            SimEvent head = queue.Pop(); // move the base, so that compaction works on refilled buckets
            if (live[head.Timer] == head.Sequence)
            {
                live[head.Timer] = -1;
            }
        }

        for (int t = 0; t < Timers; t += 3)
        {
            live[t] = -1; // cancelled
        }

        queue.RemoveCancelled(live);
        var expected = new List<(long Time, long Sequence)>();
        for (int i = queue.Count; i > 0; i--)
        {
            SimEvent e = queue.Pop();
            Assert.That(live[e.Timer], Is.EqualTo(e.Sequence), "only live events are left");
            expected.Add((e.Time, e.Sequence));
        }

        Assert.That(expected, Has.Count.EqualTo(live.Count(s => s >= 0)));
        Assert.That(expected, Is.EqualTo(expected.Order().ToList()), "in (time, sequence) order");

        // The freed nodes are reused: pushing as many events again does not grow the pool past what it held.
        for (int i = 0; i < 1_000; i++)
        {
            queue.Push(10_000_000 + i, sequence++, kind: 0, subject: 0, argument: 0, timer: EventQueue.NoTimer);
        }

        Assert.That(queue.Count, Is.EqualTo(1_000));
        for (int i = 0; i < 1_000; i++)
        {
            Assert.That(queue.Pop().Time, Is.EqualTo(10_000_000 + i));
        }
    }

    [Test]
    public void ExtremeTimes_AndEqualTimes_PopInOrder()
    {
        var queue = new EventQueue(16);
        long[] times = [long.MaxValue - 1, 0, 0, 1, long.MaxValue - 1, 1L << 62, 3, 0];
        for (int i = 0; i < times.Length; i++)
        {
            queue.Push(times[i], i, kind: 0, subject: i, argument: 0, timer: EventQueue.NoTimer);
        }

        var order = new List<int>();
        while (queue.Count > 0)
        {
            order.Add(queue.Pop().Subject);
        }

        Assert.That(order, Is.EqualTo(new[] { 1, 2, 7, 3, 6, 5, 0, 4 }));
    }
}
