using Emu.Core.Engine;
using Emu.Core.Randomness;

namespace Emu.Benchmarks.Load;

/// <summary>
/// The engine benchmark's load, the same for the engine and for a bare <see cref="PriorityQueue{TElement,TPriority}"/>:
/// N subjects each reschedule themselves at a random distance (1..1000 ns); one event in four also schedules a
/// one-shot event for a random other subject. Both sides draw the same numbers in the same order, so they
/// dispatch the same (time, subject) sequence; the tests check that, the benchmark times it.
/// </summary>
public static class SyntheticLoad
{
    public const int KindTick = 0;
    public const int KindPoke = 1;

    /// <summary>The engine side: a Simulator with one handler for both kinds.</summary>
    public sealed class EngineSide : IEventHandler
    {
        private readonly RandomStream _random;
        private readonly int _subjects;
        private readonly int _tick;
        private readonly int _poke;

        public EngineSide(int subjects, long seed)
        {
            _subjects = subjects;
            _random = RandomStream.Derive(seed, "synthetic-load", 0);
            Simulator = new Simulator();
            _tick = Simulator.RegisterKind("tick", this);
            _poke = Simulator.RegisterKind("poke", this);
            for (int s = 0; s < subjects; s++)
            {
                Simulator.Schedule(1 + _random.NextInt(1000), _tick, s);
            }
        }

        public Simulator Simulator { get; }

        /// <summary>The last dispatched (time, subject), for the differential test.</summary>
        public (long Time, int Subject) Last { get; private set; }

        void IEventHandler.Handle(in SimEvent e)
        {
            Last = (e.Time, e.Subject);
            if (e.Kind == _tick)
            {
                Simulator.Schedule(e.Time + 1 + _random.NextInt(1000), _tick, e.Subject);
                if (_random.NextInt(4) == 0)
                {
                    long at = e.Time + 1 + _random.NextInt(1000);
                    Simulator.Schedule(at, _poke, _random.NextInt(_subjects));
                }
            }
        }

        public void Run(int events) => Simulator.Step(events);
    }

    /// <summary>The reference: the same work on a bare PriorityQueue ordered by (time, sequence).</summary>
    public sealed class PriorityQueueSide
    {
        private readonly PriorityQueue<(int Subject, int Kind), (long Time, long Sequence)> _queue;
        private readonly RandomStream _random;
        private readonly int _subjects;
        private long _sequence;

        public PriorityQueueSide(int subjects, long seed)
        {
            _subjects = subjects;
            _random = RandomStream.Derive(seed, "synthetic-load", 0);
            _queue = new PriorityQueue<(int, int), (long, long)>(subjects * 2);
            for (int s = 0; s < subjects; s++)
            {
                _queue.Enqueue((s, KindTick), (1 + _random.NextInt(1000), _sequence++));
            }
        }

        public (long Time, int Subject) Last { get; private set; }

        public void Run(int events)
        {
            for (int i = 0; i < events; i++)
            {
                _queue.TryDequeue(out var e, out var at);
                Last = (at.Time, e.Subject);
                if (e.Kind == KindTick)
                {
                    _queue.Enqueue((e.Subject, KindTick), (at.Time + 1 + _random.NextInt(1000), _sequence++));
                    if (_random.NextInt(4) == 0)
                    {
                        long when = at.Time + 1 + _random.NextInt(1000);
                        _queue.Enqueue((_random.NextInt(_subjects), KindPoke), (when, _sequence++));
                    }
                }
            }
        }
    }
}
