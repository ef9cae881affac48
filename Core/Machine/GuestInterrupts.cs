using System.Runtime.CompilerServices;
using Emu.Core.Engine;
using Emu.Core.Model;

namespace Emu.Core.Machine;

/// <summary>
/// What interrupt virtualization does to a vCPU: set a vector in its IRR, let it take pending interrupts in
/// guest mode, kick it out of guest mode, wake it from a block; and the guest taking interrupts, highest
/// vector first, with IPI latency measured from the IRR write. The guest's LAPIC timer ends a timed halt.
/// </summary>
internal sealed class GuestInterrupts : IEventHandler
{
    /// <summary>Linux's LOCAL_TIMER_VECTOR: the guest's LAPIC timer, which ends a halt with a timeout.</summary>
    public const byte LocalTimerVector = LapicVectors.LocalTimer;

    private enum Kind
    {
        LapicTimer,
        WakeArrive,
        Count,
    }

    private readonly MachineState _m;
    private readonly int _kindBase;

    /// <summary>
    /// Per vector and vCPU (vector × vCPU count + vCPU id): when its IRR bit was set and how many sends it holds. One
    /// array for every vCPU, vector by vector: a guest uses a handful of vectors, so the entries in use lie in a few
    /// dense runs (48 KiB for one vector of 4,096 vCPUs) rather than a line in each vCPU's 3 KiB, and setting an IRR
    /// bit does not first read the vCPU's line holding a reference to an array of its own (issue 19).
    /// </summary>
    private readonly PendingVector[] _pending;
    private readonly int _vcpuCount;

    public GuestInterrupts(MachineState m)
    {
        _m = m;
        _vcpuCount = m.Vcpus.Length;
        _pending = new PendingVector[_vcpuCount * 256];
        _kindBase = m.RegisterKinds<Kind>(this, (int)Kind.Count);
    }

    private long Now => _m.Engine.Now;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref PendingVector Pending(int vcpu, int vector) => ref _pending[(vector * _vcpuCount) + vcpu];

    /// <summary>Every vector but the guest's own timer and its VM's device vectors is an IPI in this model.</summary>
    private bool IsIpiVector(VcpuRuntime v, byte vector) => vector != LocalTimerVector && !_m.Devices.IsDeviceVector(v.Info.Vm, vector);

    void IEventHandler.Handle(in SimEvent e)
    {
        if (e.Kind - _kindBase == (int)Kind.LapicTimer)
        {
            // The guest's timer interrupt is delivered by KVM (hrtimer -> kvm_apic_local_deliver -> __apic_accept_irq).
            _m.Monitor.TraceInstant(Math.Max(0, _m.Vcpus[e.Subject].Cpu), TraceKind.ApicAcceptIrq, e.Subject, LocalTimerVector);
            _m.InterruptVirtualization.DeliverInterrupt(e.Subject, LocalTimerVector);
            return;
        }

        var v = _m.Vcpus[e.Subject];
        var t = _m.Tasks[v.Info.Task];
        if (v.State == VcpuState.Blocked && v.WakePending && !t.Runnable && t.Cpu < 0)
        {
            _m.Scheduling.MakeRunnable(v.Info.Task, v.Cpu);
        }
    }

    public void ArmLapicTimer(VcpuRuntime v, long time) =>
        _m.Engine.Arm(v.LapicTimer, time, _kindBase + (int)Kind.LapicTimer, v.Info.Id);

    /// <summary>
    /// Sets a vector in the target's IRR, as hardware or KVM does on its backing page. Returns false if it was
    /// already pending (coalesced). A halt-polling target notices and stops polling.
    /// </summary>
    public bool SetIrr(int target, byte vector)
    {
        var v = _m.Vcpus[target];
        var counters = _m.Counters;
        bool ipi = IsIpiVector(v, vector);
        bool fresh = v.Irr.Set(vector);
        ref var pending = ref Pending(target, vector);
        if (fresh)
        {
            pending.Since = Now;
        }

        if (ipi)
        {
            if (_m.IcrSender >= 0 && _m.TraceSinks.Length > 0)
            {
                _m.Monitor.TraceInstant(Math.Max(0, v.Cpu), TraceKind.IpiSent, target, ((long)_m.IcrSender << 8) | vector);
            }

            counters.IpisSent++;
            if (!fresh)
            {
                counters.IpisCoalesced++;
            }
        }

        pending.Count++;
        if (v.Phase == VcpuPhase.HaltPoll)
        {
            _m.RunLoop.EndPollNow(v); // kvm_vcpu_check_block in the poll loop sees the IRR
        }
        else if (v.State == VcpuState.Blocked)
        {
            _m.Monitor.Wakeups.NoteBlockedWithIrr(v);
        }

        return fresh;
    }

    /// <summary>The target, in guest mode, takes its pending interrupts now without an exit (doorbell, posted interrupt).</summary>
    public void AcceptInGuest(int target)
    {
        var v = _m.Vcpus[target];
        if (v.State == VcpuState.InGuest && !v.Irr.IsEmpty)
        {
            TakeInterrupts(v);
            _m.RunLoop.OnInterruptInGuest(v);
        }
    }

    /// <summary>The guest takes every pending vector, highest first; its workload reacts.</summary>
    public void TakeInterrupts(VcpuRuntime v)
    {
        var totals = _m.Counters;
        var counters = v.Counters;
        var workload = _m.Workloads[v.Info.Vm];
        int vector;
        while ((vector = v.Irr.Highest()) >= 0)
        {
            byte b = (byte)vector;
            v.Irr.Clear(b);
            ref var pending = ref Pending(v.Info.Id, b);
            int count = pending.Count;
            pending.Count = 0;
            long latency = Now - pending.Since;
            totals.InterruptsAccepted++;
            counters.InterruptsAccepted++;
            _m.Monitor.TraceInstant(v.Cpu, TraceKind.InterruptAccepted, v.Info.Id, b);
            if (IsIpiVector(v, b))
            {
                totals.IpisDelivered += count;
                counters.IpisReceived += count;
                totals.RecordIpiLatency(counters, latency);
            }
            else if (b != LocalTimerVector)
            {
                _m.Devices.Accepted(v, b);
            }

            workload.OnInterrupt(v.Info.IndexInVm, b);
        }
    }

    /// <summary>
    /// kvm_apic_accept_irq for the delivery modes that are not vectors: an NMI becomes pending (not an IRR bit) and
    /// is taken at the next VMRUN; an SMI is requested; an INIT is latched and processed at the next VMRUN (the
    /// target resets; an application processor then waits for a SIPI); a SIPI starts a vCPU that waits for one
    /// (or is latched after a pending INIT) and is dropped otherwise. Each kicks the target out of guest mode or
    /// wakes it (kvm_vcpu_kick).
    /// </summary>
    public void DeliverSignal(int target, DeliveryMode mode)
    {
        var v = _m.Vcpus[target];
        var counters = _m.Counters;
        switch (mode)
        {
            case DeliveryMode.Nmi:
                v.NmiPending++;
                break;
            case DeliveryMode.Smi:
                counters.Smis++; // KVM_REQ_SMI: SMM itself is not modelled
                break;
            case DeliveryMode.Init:
                counters.Inits++;
                v.InitPending = true;
                break;
            case DeliveryMode.StartUp:
                if (v.WaitForSipi)
                {
                    counters.Sipis++;
                    v.WaitForSipi = false;
                }
                else if (v.InitPending)
                {
                    counters.Sipis++;
                    v.SipiPending = true;
                    return; // KVM_APIC_SIPI latched: the kick for the INIT is on its way
                }
                else
                {
                    return; // a SIPI to a vCPU not waiting for one is dropped
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(mode), mode, "vectored delivery goes through the IRR");
        }

        if (v.State == VcpuState.InGuest)
        {
            Kick(target);
        }
        else if (v.Phase == VcpuPhase.HaltPoll)
        {
            _m.RunLoop.EndPollNow(v);
        }
        else
        {
            WakeUp(target);
        }
    }

    /// <summary>The vCPU takes its pending NMIs at VMRUN.</summary>
    public void TakeNmis(VcpuRuntime v)
    {
        _m.Counters.NmisTaken += v.NmiPending;
        v.NmiPending = 0;
    }

    /// <summary>
    /// kvm_apic_accept_events for a pending INIT: the vCPU resets (its APIC state and its program's place); the
    /// bootstrap processor (vCPU 0) stays runnable, an application processor waits for a SIPI unless one is
    /// latched already. Returns true when the vCPU must now wait.
    /// </summary>
    public bool AcceptInit(VcpuRuntime v)
    {
        v.InitPending = false;
        _m.Devices.Cleared(v);
        int vector;
        while ((vector = v.Irr.Highest()) >= 0)
        {
            v.Irr.Clear((byte)vector);
            Pending(v.Info.Id, vector).Count = 0;
        }

        v.NmiPending = 0;
        v.Halted = false;
        v.Spinning = false;
        v.ResumeRequested = false;
        v.RemainingNs = 0;
        v.GuestRemainingNs = 0;
        _m.Engine.Cancel(v.LapicTimer);
        if (v.Info.IndexInVm == 0 || v.SipiPending)
        {
            v.SipiPending = false;
            return false;
        }

        v.WaitForSipi = true;
        return true;
    }

    /// <summary>kvm_vcpu_kick without AVIC: a target in guest mode exits so the interrupt is injected on re-entry.</summary>
    public void Kick(int target)
    {
        var v = _m.Vcpus[target];
        if (v.State != VcpuState.InGuest)
        {
            return; // not in guest: the IRR is taken at the next VMRUN
        }

        // A reschedule IPI to the pCPU forces an exit; the interrupt is injected on re-entry.
        _m.Counters.Kicks++;
        _m.Counters.ExitsExternalInterrupt++;
        v.ExitReason = ExitReason.Intr;
        _m.RunLoop.BeginExit(v, TraceKind.VmExit, _m.Costs.VmExitNs);
    }

    /// <summary>kvm_vcpu_wake_up: wakes the target if it is blocked; nothing otherwise. Returns true if it woke it.</summary>
    public bool WakeUp(int target)
    {
        var v = _m.Vcpus[target];
        if (v.State != VcpuState.Blocked || v.WakePending || v.WaitForSipi)
        {
            return false; // a vCPU waiting for SIPI is not runnable: kvm_vcpu_check_block sends it back to sleep
        }

        v.WakePending = true;
        _m.Monitor.Wakeups.Stir(v);
        _m.Counters.Wakeups++;
        v.Counters.Wakeups++;
        _m.Monitor.TraceInstant(v.Cpu, TraceKind.Wakeup, target, 0);
        _m.Engine.Schedule(Now + _m.Costs.WakeupNs, _kindBase + (int)Kind.WakeArrive, target);
        return true;
    }
}
