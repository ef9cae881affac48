using Emu.Core.Contracts;
using Emu.Core.Engine;
using Emu.Core.Model;

namespace Emu.Plugins.NestedSvm;

/// <summary>
/// Interrupts between L2 vCPUs. With nested AVIC the hardware runs the ICR write over the shadow tables
/// (through Core's <see cref="IAvicHardware"/>, the same rules as for L1): IRR set in each target's page, a
/// doorbell to each target whose shadow entry says running, and an AVIC_INCOMPLETE_IPI exit from L2 to L0
/// otherwise. L0 handles a not-running target itself when L1's table says it runs (its L1 vCPU is only put),
/// and reflects the exit to L1 when L1 must wake it. Without nested AVIC every ICR write of L2 traps to L1.
/// </summary>
internal sealed class L2InterruptPath : IEventHandler
{
    /// <summary>What L1 sends an L1 vCPU to make it run a woken L2 vCPU.</summary>
    public const byte WakeVector = LapicVectors.Reschedule;

    private readonly IAvicHardware? _hardware;
    private readonly IDoorbell? _doorbell;
    private readonly NestedCosts _costs;
    private readonly int[] _targets = new int[256];
    private readonly IReadOnlyList<(NestedVm Vm, int L2)> _byTarget;
    private IVirtualizationContext _host = null!;
    private int _timerKind;

    /// <param name="byTarget">Every L2 vCPU by its target id (the layer's registry): a timer event's subject is that id.</param>
    public L2InterruptPath(IAvicHardware? hardware, IDoorbell? doorbell, NestedCosts costs, IReadOnlyList<(NestedVm Vm, int L2)> byTarget)
    {
        _hardware = hardware;
        _doorbell = doorbell;
        _costs = costs;
        _byTarget = byTarget;
    }

    private IMachineView Machine => _host.Machine;

    public void Initialize(IVirtualizationContext host)
    {
        _host = host;
        _timerKind = host.Events.RegisterKind("NestedL2Timer", this);
    }

    /// <summary>A VM with an L2 guest: each L2 vCPU gets its halt timer (L1's emulated LAPIC timer).</summary>
    public void Add(NestedVm n)
    {
        for (int j = 0; j < n.Count; j++)
        {
            n.Timers[j] = _host.Events.AllocateTimer();
        }
    }

    private static NestedCounters CountersOf(NestedVm n) => n.Counters;

    /// <summary>L2 vCPU <paramref name="k"/> writes ICR; returns how long the exit it causes keeps its L1 vCPU out of L2 (0: none).</summary>
    public long WriteIcr(NestedVm n, int k, Icr icr)
    {
        var c = CountersOf(n);
        n.Sent[k]++;
        if (!n.Options.Avic || _hardware is null || _doorbell is null)
        {
            EmulateInL1(n, k, icr); // without AVIC for L2, L1 intercepts the APIC access
            return Reflect(c);
        }

        var outcome = _hardware.ResolveDestinations(n.Shadow, n.Logical, n.Info[k].FlatLogicalMode, k, icr, _targets, out int count);
        if (outcome.Exits)
        {
            c.L2ExitsToL0++;
            EmulateInL1(n, k, icr); // unsupported type or bad target: L1's avic_incomplete_ipi handler emulates it
            return Reflect(c);
        }

        bool notRunning = false, l1MustAct = false;
        for (int i = 0; i < count; i++)
        {
            int t = _targets[i];
            SetIrr(n, t, icr.Vector);
            var shadow = new PhysicalApicIdEntry(n.Shadow[t]);
            if (t == k)
            {
                TakeInterrupts(n, k);
            }
            else if (shadow.IsRunning)
            {
                Doorbell(n, t, shadow.HostPhysicalApicId);
            }
            else
            {
                notRunning = true;
                l1MustAct |= !new PhysicalApicIdEntry(n.L1Table[t]).IsRunning;
            }
        }

        if (!notRunning)
        {
            return 0;
        }

        // AVIC_INCOMPLETE_IPI (TARGET_NOT_RUNNING) from L2 exits to L0, which handles every not-running target.
        c.L2ExitsToL0++;
        for (int i = 0; i < count; i++)
        {
            int t = _targets[i];
            if (t != k && !new PhysicalApicIdEntry(n.Shadow[t]).IsRunning && !new PhysicalApicIdEntry(n.L1Table[t]).IsRunning)
            {
                Wake(n, t); // L1's handler: kvm_vcpu_wake_up of its halted L2 vCPU
            }
        }

        if (l1MustAct)
        {
            return Reflect(c);
        }

        // L1 believes the targets run: L0 cleared IsRunning because it put their L1 vCPUs. L0 wakes those
        // (kvm_vcpu_wake_up; a no-op unless blocked) and hides the exit; the IRR waits for the next VMRUN of L2.
        for (int i = 0; i < count; i++)
        {
            int t = _targets[i];
            if (t != k && !new PhysicalApicIdEntry(n.Shadow[t]).IsRunning)
            {
                _host.Targets.WakeUp(n.L1.VcpuId(n.HostOf[t]));
            }
        }

        c.L2ExitsHiddenByL0++;
        return _costs.NestedExitNs;
    }

    private long Reflect(NestedCounters c)
    {
        c.L2ExitsReflectedToL1++;
        return _costs.NestedExitNs + _costs.NestedReflectNs;
    }

    /// <summary>L1's APIC emulation: every L2 vCPU the ICR names gets the vector, halted ones are woken.</summary>
    private void EmulateInL1(NestedVm n, int k, Icr icr)
    {
        for (int t = 0; t < n.Count; t++)
        {
            if (ApicDestination.Matches(n.Info[t], icr, n.Info[k].ApicId))
            {
                Deliver(n, t, icr.Vector);
            }
        }
    }

    /// <summary>An interrupt L1 (or L1's timer) delivers to an L2 vCPU: taken now if it runs, else it wakes it.</summary>
    public void Deliver(NestedVm n, int t, byte vector)
    {
        SetIrr(n, t, vector);
        if (IsRunning(n, t))
        {
            TakeInterrupts(n, t);
        }
        else if (n.Halted[t])
        {
            Wake(n, t);
        }
    }

    /// <summary>The vector goes into the L2 vCPU's IRR (its backing page); an IPI is counted as a message sent to it.</summary>
    private void SetIrr(NestedVm n, int t, byte vector)
    {
        n.Irr[t].Set(vector);
        if (vector != LapicVectors.LocalTimer)
        {
            CountersOf(n).L2IpisSent++;
            n.PendingIpis[t]++;
        }
    }

    /// <summary>The doorbell for an L2 target goes to the pCPU the shadow entry names, through the Svm plugin's doorbell.</summary>
    private void Doorbell(NestedVm n, int t, int hostApicId)
    {
        CountersOf(n).L2Doorbells++;
        _doorbell!.RingNested(hostApicId, n.FirstTarget + t, n.L1.Index);
    }

    /// <summary>
    /// The doorbell arrived: in guest mode on the L1 vCPU hosting the target (the target takes it if it is the L2
    /// vCPU running there, else at its next VMRUN of L2), at that L1 vCPU's thread in host mode, or spuriously.
    /// </summary>
    public void DoorbellArrived(NestedVm n, int t, DoorbellLanding landing)
    {
        if (landing == DoorbellLanding.Elsewhere)
        {
            CountersOf(n).L2SpuriousDoorbells++;
        }
        else if (landing == DoorbellLanding.InGuest && IsRunning(n, t))
        {
            TakeInterrupts(n, t);
        }
    }

    /// <summary>An L2 vCPU runs when its L1 vCPU runs it in guest mode.</summary>
    public bool IsRunning(NestedVm n, int t)
    {
        int h = n.HostOf[t];
        return n.Current[h] == t && Machine.StateOf(n.L1.VcpuId(h)) == VcpuState.InGuest;
    }

    /// <summary>The L2 vCPU takes its pending interrupts (at VMRUN of L2, or on a doorbell while it runs).</summary>
    public void TakeInterrupts(NestedVm n, int t)
    {
        CountersOf(n).L2IpisDelivered += n.PendingIpis[t];
        n.Received[t] += n.PendingIpis[t];
        n.PendingIpis[t] = 0;
        int v;
        while ((v = n.Irr[t].Highest()) >= 0)
        {
            n.Irr[t].Clear((byte)v);
            n.Workload.OnInterrupt(t, (byte)v);
        }
    }

    /// <summary>L1 wakes its halted L2 vCPU, and makes sure the L1 vCPU that runs it gets to run it.</summary>
    public void Wake(NestedVm n, int t)
    {
        if (!n.Halted[t])
        {
            return;
        }

        n.Halted[t] = false;
        _host.Events.Cancel(n.Timers[t]);
        int l1 = n.L1.VcpuId(n.HostOf[t]);
        if (Machine.StateOf(l1) != VcpuState.InGuest)
        {
            // L1 IPIs its vCPU (a halted one wakes; one in the host takes it at VMRUN); in guest mode it
            // notices at its next scheduling point, within one L1 period.
            _host.Targets.SetIrr(l1, WakeVector);
            _host.Targets.WakeUp(l1);
        }
    }

    public void ArmHaltTimer(NestedVm n, int t, long timeoutNs)
    {
        if (timeoutNs > 0)
        {
            _host.Events.Arm(n.Timers[t], _host.Events.Now + timeoutNs, _timerKind, n.FirstTarget + t);
        }
    }

    void IEventHandler.Handle(in SimEvent e)
    {
        var (n, t) = _byTarget[e.Subject];
        if (n.Halted[t])
        {
            Deliver(n, t, LapicVectors.LocalTimer);
        }
    }
}
