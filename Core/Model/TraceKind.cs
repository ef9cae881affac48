namespace Emu.Core.Model;

/// <summary>Instants a trace sink can show.</summary>
public enum TraceKind : byte
{
    Doorbell,
    SpuriousDoorbell,
    /// <summary>A VM exit (argument: its <see cref="ExitReason"/> in bits 7:0; for AVIC_INCOMPLETE_IPI, EXITINFO2 &lt;&lt; 8).</summary>
    VmExit,
    Wakeup,
    LostWakeup,
    InterruptAccepted,
    IcrWrite,

    /// <summary>A doorbell that found its target's thread on the pCPU in host mode (it costs the pCPU, like a spurious one).</summary>
    DoorbellInHost,

    /// <summary>
    /// An IPI's vector was set in the target's IRR (vcpu: the target; argument: sender &lt;&lt; 8 | vector), by the hardware
    /// during the sender's ICR write or by KVM's handling of its exit.
    /// </summary>
    IpiSent,

    /// <summary>A device raised an interrupt for the vCPU (argument: device id &lt;&lt; 8 | vector; pCPU: where the target last ran).</summary>
    DeviceInterrupt,
}
