namespace Emu.Core.Engine;

/// <summary>Handles every event of the kinds it was registered for.</summary>
public interface IEventHandler
{
    void Handle(in SimEvent e);
}
