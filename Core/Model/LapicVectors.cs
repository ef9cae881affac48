namespace Emu.Core.Model;

/// <summary>The Linux guest's fixed interrupt vectors that the model gives a meaning to.</summary>
public static class LapicVectors
{
    /// <summary>LOCAL_TIMER_VECTOR: the guest's LAPIC timer, which ends a halt with a timeout; not an IPI.</summary>
    public const byte LocalTimer = 0xEC;

    /// <summary>RESCHEDULE_VECTOR: the IPI a hypervisor sends its own vCPU to make it run something (a woken L2 vCPU).</summary>
    public const byte Reschedule = 0xFD;
}
