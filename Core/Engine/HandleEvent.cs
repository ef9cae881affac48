namespace Emu.Core.Engine;

/// <summary>An <see cref="IEventHandler"/>'s Handle, bound once per event kind (the engine's dispatch table).</summary>
internal delegate void HandleEvent(in SimEvent e);
