using Emu.Core.Engine;

namespace Emu.Tests;

public class EngineTests
{
    private sealed class Recorder : IEventHandler
    {
        public List<(long Time, int Subject, long Arg)> Seen { get; } = new();

        public Action<SimEvent>? OnEvent { get; set; }

        public void Handle(in SimEvent e)
        {
            Seen.Add((e.Time, e.Subject, e.Argument));
            OnEvent?.Invoke(e);
        }
    }

    [Test]
    public void EventsRunInTimeOrder_AndEqualTimesInInsertionOrder()
    {
        var sim = new Simulator();
        var rec = new Recorder();
        int kind = sim.RegisterKind("test", rec);
        sim.Schedule(30, kind, 1);
        sim.Schedule(10, kind, 2);
        sim.Schedule(20, kind, 3);
        sim.Schedule(10, kind, 4);
        sim.Schedule(10, kind, 5);
        sim.Run();
        Assert.That(rec.Seen.Select(s => s.Subject), Is.EqualTo(new[] { 2, 4, 5, 3, 1 }));
        Assert.That(sim.Now, Is.EqualTo(30));
        Assert.That(sim.EventsDispatched, Is.EqualTo(5));
    }

    [Test]
    public void ManyTies_KeepInsertionOrder()
    {
        var sim = new Simulator();
        var rec = new Recorder();
        int kind = sim.RegisterKind("test", rec);
        for (int i = 0; i < 1000; i++)
        {
            sim.Schedule(5 + (i % 3), kind, i);
        }

        sim.Run();
        var expected = Enumerable.Range(0, 1000).OrderBy(i => 5 + (i % 3)).ThenBy(i => i);
        Assert.That(rec.Seen.Select(s => s.Subject), Is.EqualTo(expected));
    }

    [Test]
    public void EventScheduledForNowFromAHandler_RunsAfterTheOthersAlreadyQueuedForNow()
    {
        var sim = new Simulator();
        var rec = new Recorder();
        int kind = sim.RegisterKind("test", rec);
        rec.OnEvent = e =>
        {
            if (e.Subject == 1)
            {
                sim.Schedule(sim.Now, kind, 99);
            }
        };
        sim.Schedule(10, kind, 1);
        sim.Schedule(10, kind, 2);
        sim.Run();
        Assert.That(rec.Seen.Select(s => s.Subject), Is.EqualTo(new[] { 1, 2, 99 }));
    }

    [Test]
    public void RunUntil_RunsUpToAndIncludingTheTime_ThenSetsTheClock()
    {
        var sim = new Simulator();
        var rec = new Recorder();
        int kind = sim.RegisterKind("test", rec);
        sim.Schedule(10, kind, 1);
        sim.Schedule(20, kind, 2);
        sim.Schedule(21, kind, 3);
        sim.RunUntil(20);
        Assert.That(rec.Seen.Select(s => s.Subject), Is.EqualTo(new[] { 1, 2 }));
        Assert.That(sim.Now, Is.EqualTo(20));
        sim.RunUntil(15);
        Assert.That(sim.Now, Is.EqualTo(20), "time never goes back");
        sim.RunUntil(100);
        Assert.That(rec.Seen, Has.Count.EqualTo(3));
        Assert.That(sim.Now, Is.EqualTo(100));
    }

    [Test]
    public void RunUntil_ACancelledEventBeforeTheHorizon_DoesNotLetALaterEventThrough()
    {
        var sim = new Simulator();
        var rec = new Recorder();
        int kind = sim.RegisterKind("test", rec);
        int timer = sim.AllocateTimer();
        sim.Arm(timer, 10, kind, 1);
        sim.Schedule(50, kind, 2);
        sim.Cancel(timer);
        sim.RunUntil(20);
        Assert.That(rec.Seen, Is.Empty);
        Assert.That(sim.Now, Is.EqualTo(20));
        Assert.That(sim.EventsDispatched, Is.EqualTo(0));
    }

    [Test]
    public void Step_DispatchesExactlyOneEvent()
    {
        var sim = new Simulator();
        var rec = new Recorder();
        int kind = sim.RegisterKind("test", rec);
        sim.Schedule(10, kind, 1);
        sim.Schedule(20, kind, 2);
        Assert.That(sim.Step(), Is.True);
        Assert.That(rec.Seen, Has.Count.EqualTo(1));
        Assert.That(sim.Now, Is.EqualTo(10));
        Assert.That(sim.Step(), Is.True);
        Assert.That(sim.Step(), Is.False);
    }

    [Test]
    public void ArmingATimerAgain_CancelsItsPreviousEvent_AndCancelDropsIt()
    {
        var sim = new Simulator();
        var rec = new Recorder();
        int kind = sim.RegisterKind("test", rec);
        int t1 = sim.AllocateTimer();
        int t2 = sim.AllocateTimer();
        sim.Arm(t1, 10, kind, 1);
        sim.Arm(t1, 30, kind, 11); // re-arm: the event at 10 is stale
        sim.Arm(t2, 20, kind, 2);
        sim.Cancel(t2);
        sim.Schedule(25, kind, 3); // not on a timer: cannot be cancelled
        sim.Run();
        Assert.That(rec.Seen, Is.EqualTo(new[] { (25L, 3, 0L), (30L, 11, 0L) }));
        Assert.That(sim.EventsDispatched, Is.EqualTo(2), "stale events are not dispatched");
    }

    [Test]
    public void AnEvent_CarriesItsArgument_AndATimerEventItsTimer()
    {
        var sim = new Simulator();
        var seen = new List<SimEvent>();
        var rec = new Recorder { OnEvent = e => seen.Add(e) };
        int kind = sim.RegisterKind("test", rec);
        int timer = sim.AllocateTimer();
        sim.Schedule(5, kind, 7, -123456789);
        sim.Arm(timer, 6, kind, 8);
        sim.Run();
        Assert.That(seen[0].Argument, Is.EqualTo(-123456789));
        Assert.That(seen[0].Timer, Is.EqualTo(-1));
        Assert.That(seen[1].Timer, Is.EqualTo(timer));
        Assert.That(seen[1].Argument, Is.Zero);
        Assert.That((seen[0].Kind, seen[1].Kind, seen[1].Subject), Is.EqualTo((kind, kind, 8)));
        Assert.That(System.Runtime.CompilerServices.Unsafe.SizeOf<SimEvent>(), Is.EqualTo(24), "as small as a bare PriorityQueue node");
    }

    [Test]
    public void SchedulingInThePast_Throws()
    {
        var sim = new Simulator();
        var rec = new Recorder();
        int kind = sim.RegisterKind("test", rec);
        sim.Schedule(10, kind, 1);
        sim.Run();
        Assert.That(() => sim.Schedule(5, kind, 2), Throws.InvalidOperationException);
    }

    [Test]
    public void Stop_EndsRunAfterTheCurrentEvent()
    {
        var sim = new Simulator();
        var rec = new Recorder();
        int kind = sim.RegisterKind("test", rec);
        rec.OnEvent = e =>
        {
            if (e.Subject == 2)
            {
                sim.Stop();
            }
        };
        for (int i = 1; i <= 4; i++)
        {
            sim.Schedule(i, kind, i);
        }

        sim.Run();
        Assert.That(rec.Seen.Select(s => s.Subject), Is.EqualTo(new[] { 1, 2 }));
    }

    [Test]
    public void AHandlerThatThrows_DoesNotGetItsEventAgain_AndTheQueueStaysOrdered()
    {
        var sim = new Simulator();
        var rec = new Recorder();
        int kind = sim.RegisterKind("test", rec);
        rec.OnEvent = e =>
        {
            if (e.Subject == 1)
            {
                sim.Schedule(e.Time + 5, kind, 10); // scheduled before the throw: kept
                throw new InvalidOperationException("boom");
            }
        };
        sim.Schedule(10, kind, 1);
        sim.Schedule(12, kind, 2);
        Assert.Throws<InvalidOperationException>(() => sim.Run());
        sim.Run();
        Assert.That(rec.Seen.Select(s => (s.Time, s.Subject)), Is.EqualTo(new[] { (10L, 1), (12L, 2), (15L, 10) }));
        Assert.That(sim.PendingCount, Is.Zero);
    }

    [Test]
    public void PendingCount_DuringAHandler_DoesNotCountTheEventBeingHandled()
    {
        var sim = new Simulator();
        var rec = new Recorder();
        int kind = sim.RegisterKind("test", rec);
        int seen = -1;
        rec.OnEvent = _ => seen = sim.PendingCount;
        sim.Schedule(1, kind, 1);
        sim.Schedule(2, kind, 2);
        sim.Step();
        Assert.That(seen, Is.EqualTo(1));
    }
}
