namespace Emu.Core.Model;

/// <summary>Instants a trace sink can show.</summary>
public enum TraceKind : byte
{
    Doorbell,
    SpuriousDoorbell,
    VmExit,
    Wakeup,
    LostWakeup,
    InterruptAccepted,
    IcrWrite,
}
