namespace Emu.Host.Traces;

/// <summary>
/// A vCPU's exit under way, kvm_exit to the next kvm_entry: its reason and what the lines in it said (kvm_mmio,
/// kvm_apic, its ICR writes, kvm_userspace_exit, the guest's LAPIC timer firing), and the time its thread spent
/// switched out (sched_switch away to sched_switch back), which is not time the exit took on its pCPU.
/// </summary>
internal sealed class RecordedExit
{
    private long _offNs;
    private long _offSince = -1;

    public long StartNs { get; private set; }

    public ExitClass Class { get; private set; }

    /// <summary>The reason's id in the summary's counts, or -1.</summary>
    public int Reason { get; private set; } = -1;

    /// <summary>kvm_mmio: KVM emulated an MMIO access in it.</summary>
    public bool Mmio { get; set; }

    /// <summary>kvm_apic: it read or wrote a local APIC register (through MMIO or x2APIC's MSRs).</summary>
    public bool ApicAccess { get; set; }

    /// <summary>kvm_avic_incomplete_ipi: an ICR write that AVIC could not complete.</summary>
    public bool IncompleteIpi { get; set; }

    public int IcrWrites { get; set; }

    /// <summary>When KVM_RUN returned to the VMM (kvm_userspace_exit), or -1.</summary>
    public long UserspaceNs { get; set; } = -1;

    /// <summary>When the guest's LAPIC timer fired in it (kvm_apic_accept_irq of LOCAL_TIMER_VECTOR), or -1.</summary>
    public long TimerNs { get; set; } = -1;

    /// <summary>Its thread was switched out before re-entering: preempted (or, in a halt, asleep).</summary>
    public bool SwitchedOut { get; private set; }

    /// <summary>An HLT exit (not one that also wrote the ICR or returned to the VMM).</summary>
    public bool IsHalt => Class == ExitClass.Halt && UserspaceNs < 0 && IcrWrites == 0;

    public void Start(long t, ExitClass exitClass, int reason)
    {
        StartNs = t;
        Class = exitClass;
        Reason = reason;
        Mmio = ApicAccess = IncompleteIpi = SwitchedOut = false;
        IcrWrites = 0;
        UserspaceNs = TimerNs = -1;
        _offNs = 0;
        _offSince = -1;
    }

    public void OnSwitchedOut(long t)
    {
        SwitchedOut = true;
        _offSince = t;
    }

    public void OnSwitchedIn(long t)
    {
        if (_offSince >= 0)
        {
            _offNs += t - _offSince;
            _offSince = -1;
        }
    }

    /// <summary>Its time on its pCPU, kvm_exit to <paramref name="t"/>, less the time its thread was switched out.</summary>
    public long OnCpuNs(long t) => Math.Max(0, t - StartNs - _offNs - (_offSince >= 0 ? t - _offSince : 0));
}
