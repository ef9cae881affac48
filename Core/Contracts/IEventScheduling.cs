using Emu.Core.Engine;

namespace Emu.Core.Contracts;

/// <summary>
/// The engine's scheduling operations, without the engine: a plugin registers its event kinds and timers and
/// schedules its events; it cannot run, stop or observe the engine.
/// </summary>
public interface IEventScheduling
{
    /// <summary>Current simulated time, nanoseconds.</summary>
    long Now { get; }

    /// <summary>Registers a handler and returns the new event kind it owns.</summary>
    int RegisterKind(string name, IEventHandler handler);

    /// <summary>Allocates a timer slot: at most one live event at a time, re-arming cancels the previous one.</summary>
    int AllocateTimer();

    /// <summary>Schedules an event that cannot be cancelled.</summary>
    void Schedule(long time, int kind, int subject, int argument = 0);

    /// <summary>Arms a timer slot, cancelling whatever it held.</summary>
    void Arm(int timer, long time, int kind, int subject);

    /// <summary>Cancels the timer's pending event, if any.</summary>
    void Cancel(int timer);

    /// <summary>The time of the next live event, or <see cref="long.MaxValue"/> when none is left.</summary>
    long Peek();
}
