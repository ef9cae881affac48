namespace Emu.Core.Engine;

/// <summary>Handles every event of the kinds it was registered for.</summary>
/// <remarks>
/// Implement <see cref="Handle"/> explicitly (<c>void IEventHandler.Handle(in SimEvent e)</c>): for a public method
/// with an <c>in</c> parameter the compiler adds a bridge method, and the engine's dispatch would jump through it
/// on every event.
/// </remarks>
public interface IEventHandler
{
    void Handle(in SimEvent e);
}
