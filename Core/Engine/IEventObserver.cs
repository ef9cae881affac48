namespace Emu.Core.Engine;

/// <summary>
/// Sees every event after its handler ran (a probe, a progress meter, a co-simulating emulator). Any number may
/// register with <see cref="Simulator.AddObserver"/>; they run after Core's own run monitor, which they cannot
/// replace. An observer must not schedule events (it observes).
/// </summary>
public interface IEventObserver
{
    void AfterEvent(in SimEvent e);
}
