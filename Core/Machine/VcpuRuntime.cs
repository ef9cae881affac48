using Emu.Core.Model;

namespace Emu.Core.Machine;

/// <summary>What a vCPU thread does when it next gets a pCPU.</summary>
internal enum ResumePoint : byte
{
    /// <summary>Load, then VMRUN (it was preempted in guest mode or before re-entry).</summary>
    Guest,

    /// <summary>Load, then go on with kvm_vcpu_halt where the poll was cut: block, unless an interrupt is pending.</summary>
    Halt,

    /// <summary>Load, finish the interrupted exit handling, then VMRUN.</summary>
    ExitHandling,

    /// <summary>Load (a no-op for AVIC while blocking), unblocking, then VMRUN.</summary>
    Unblock,

    /// <summary>Continue the VMM's userspace work; load and VMRUN when it is done.</summary>
    Userspace,
}

/// <summary>What the vCPU's phase timer completes while its thread runs.</summary>
internal enum VcpuPhase : byte
{
    None,
    GuestCompute,
    GuestSpin,

    /// <summary>Halted in guest mode (HLT exits disabled): idle on its pCPU until an interrupt.</summary>
    GuestIdle,

    /// <summary>The guest's cpuidle-haltpoll: spinning in guest mode before it executes HLT.</summary>
    GuestHaltPoll,
    ExitHandling,
    HaltPoll,
    Userspace,
}

/// <summary>A vCPU's mutable state during a run; preallocated, indexed by global vCPU id.</summary>
internal sealed class VcpuRuntime
{
    public VcpuRuntime(VcpuInfo info, int phaseTimer, int lapicTimer, Results.VcpuCounters counters)
    {
        Info = info;
        PhaseTimer = phaseTimer;
        LapicTimer = lapicTimer;
        Counters = counters;
    }

    // The runtime lays out fields by size, value types last in the order declared: the IRR and the vCPU's identity
    // end the object next to its state bytes, so that another vCPU's IPI (SetIrr, AcceptInGuest) reads one or two
    // cache lines of it, not four (issue 19, docs/benchmarks.md).
    public InterruptRequestRegister Irr;

    public VcpuInfo Info;
    public readonly int PhaseTimer;
    public readonly int LapicTimer;

    public VcpuState State = VcpuState.Preempted;
    public VcpuPhase Phase;
    public ResumePoint Resume = ResumePoint.Guest;
    public bool Loaded;
    public int Cpu = -1;
    public bool Blocking;
    public bool WakePending;

    /// <summary>The ICR-write exit whose KVM handler has not run yet (it runs when the #VMEXIT lands).</summary>
    public Contracts.IcrWriteOutcome PendingIcrExit;
    public bool IcrExitPending;
    public bool Halted;

    /// <summary>HLT does not exit (KVM_X86_DISABLE_EXITS_HLT), and the guest's own halt-poll window (0 = none).</summary>
    public bool HltExits = true;
    public long GuestHaltPollNs;

    /// <summary>The guest's halt-poll is under way, and the timeout of the HLT it precedes.</summary>
    public bool GuestPolling;
    public long PendingHaltTimeoutNs;

    /// <summary>Inside kvm_vcpu_halt: from the HLT exit until the halt ends (wake-up or successful poll).</summary>
    public bool InHalt;

    /// <summary>This halt polled (do_halt_poll), and the poll's start and end.</summary>
    public bool HaltPolled;
    public long HaltStart;
    public long PollEnd;

    /// <summary>The vCPU's adaptive window (vcpu->halt_poll_ns).</summary>
    public long HaltPollWindowNs;
    public bool Spinning;
    public bool ResumeRequested;

    /// <summary>Absolute end of the current phase while running; remaining time while not.</summary>
    public long PhaseEnd;

    /// <summary>What is left of a host-side phase (exit handling, userspace) while the thread is scheduled out.</summary>
    public long RemainingNs;

    /// <summary>
    /// What is left of the guest's compute burst (or its own poll before HLT) that an exit or a preemption interrupted:
    /// the guest resumes it at the next VMRUN. Kept apart from <see cref="RemainingNs"/>, which the exit's own
    /// handling uses meanwhile.
    /// </summary>
    public long GuestRemainingNs;
    public long StateSince;

    /// <summary>NMIs pending (vcpu->arch.nmi_pending): not IRR bits; taken at the next VMRUN.</summary>
    public int NmiPending;

    /// <summary>An INIT accepted and not yet processed (KVM_APIC_INIT in apic->pending_events).</summary>
    public bool InitPending;

    /// <summary>After INIT, an application processor waits for a SIPI (KVM_MP_STATE_INIT_RECEIVED).</summary>
    public bool WaitForSipi;

    /// <summary>A SIPI that arrived while an INIT was still pending (KVM_APIC_SIPI).</summary>
    public bool SipiPending;

    /// <summary>GA-log entries the IOMMU wrote for this vCPU whose notifier has not run yet: wake-ups on their way.</summary>
    public int GaLogWakeups;

    /// <summary>The reason of the exit this vCPU is taking, set where the exit starts; and when it left guest mode (-1: not exiting).</summary>
    public ExitReason ExitReason;

    /// <summary>The exit's EXITINFO2 where the trace shows it (AVIC_INCOMPLETE_IPI: cause &lt;&lt; 32 | table index).</summary>
    public ulong ExitInfo2;
    public long ExitSince = -1;

    /// <summary>Anything that ends a halt: an IRR bit, an NMI, an INIT (kvm_vcpu_has_events).</summary>
    public bool HasEvents => !Irr.IsEmpty || NmiPending > 0 || InitPending;

    /// <summary>The vCPU's results (the same object as SimulationCounters.Vcpus[id]), allocated next to it.</summary>
    public readonly Results.VcpuCounters Counters;
}
