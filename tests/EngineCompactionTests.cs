using Emu.Core.Engine;
using Emu.Core.Randomness;

namespace Emu.Tests;

/// <summary>
/// The engine compacts its queue when cancelled timer events outnumber live ones: the live events must still run
/// in (time, sequence) order, none may be lost or run twice, and the queue must stay near its live size.
/// </summary>
public class EngineCompactionTests
{
    private const int Timers = 64;

    private sealed class Load : IEventHandler
    {
        private readonly Simulator _sim;
        private readonly RandomStream _random = RandomStream.Derive(3, "compaction", 0);
        private readonly int[] _timers = new int[Timers];
        private readonly long[] _due = new long[Timers]; // the live event's time per timer, -1 if none
        private readonly int _kind;

        public Load(Simulator sim)
        {
            _sim = sim;
            _kind = sim.RegisterKind("timer", this);
            for (int t = 0; t < Timers; t++)
            {
                _timers[t] = sim.AllocateTimer();
                _due[t] = -1;
            }
        }

        public long Fired { get; private set; }

        public int MaxPending { get; private set; }

        public void Start()
        {
            for (int t = 0; t < Timers; t++)
            {
                ArmFar(t);
            }
        }

        public void Handle(in SimEvent e)
        {
            int t = e.Subject;
            Assert.That(_due[t], Is.EqualTo(e.Time), "only the timer's latest arming fires, at its time");
            _due[t] = -1;
            Fired++;

            // Like a halt's LAPIC timer: re-armed far ahead, then mostly cancelled or re-armed long before it fires.
            ArmFar(t);
            for (int k = 0; k < 3; k++)
            {
                int other = _random.NextInt(Timers);
                if (_random.NextInt(2) == 0)
                {
                    _sim.Cancel(_timers[other]);
                    _due[other] = -1;
                    ArmNear(other);
                }
                else
                {
                    ArmFar(other);
                }
            }

            MaxPending = Math.Max(MaxPending, _sim.PendingCount);
        }

        private void ArmFar(int t) => Arm(t, _sim.Now + 1_000 + _random.NextInt(1_000_000));

        private void ArmNear(int t) => Arm(t, _sim.Now + 1 + _random.NextInt(1_000));

        private void Arm(int t, long at)
        {
            _sim.Arm(_timers[t], at, _kind, t);
            _due[t] = at;
        }
    }

    [Test]
    public void CancelledEvents_AreCompactedAway_AndLiveOnesRunInOrder()
    {
        var sim = new Simulator();
        var load = new Load(sim);
        load.Start();
        long last = 0;
        for (int i = 0; i < 100_000; i++)
        {
            Assert.That(sim.Step(), Is.True);
            Assert.That(sim.Now, Is.GreaterThanOrEqualTo(last));
            last = sim.Now;
        }

        Assert.That(load.Fired, Is.EqualTo(100_000));
        Assert.That(load.MaxPending, Is.LessThanOrEqualTo((2 * Timers) + 40), "cancelled events do not pile up");
    }

    [Test]
    public void FiredTimer_ReArmedAndCancelled_CountsNoPhantomCancellation()
    {
        var sim = new Simulator();
        var seen = new List<long>();
        var handler = new Recording(seen);
        int kind = sim.RegisterKind("t", handler);
        int timer = sim.AllocateTimer();
        int other = sim.AllocateTimer();
        for (int i = 0; i < 1_000; i++)
        {
            sim.Arm(other, 1_000_000 + i, kind, 1); // one live far event, re-armed: a cancelled one each time
            sim.Arm(timer, sim.Now + 1, kind, 0);
            Assert.That(sim.Step(), Is.True);
            sim.Cancel(timer); // already fired: nothing to cancel
        }

        Assert.That(seen, Has.Count.EqualTo(1_000));
        sim.Run();
        Assert.That(seen, Has.Count.EqualTo(1_001), "the far timer's latest arming still fires, once");
        Assert.That(seen[^1], Is.EqualTo(1_000_999));
    }

    private sealed class Recording(List<long> seen) : IEventHandler
    {
        public void Handle(in SimEvent e) => seen.Add(e.Time);
    }
}
