using Emu.Core.Contracts;
using Emu.Core.Engine;
using Emu.Core.Model;

namespace Emu.Core.Machine;

/// <summary>
/// A guest's ICR write: the interrupt virtualization handles it (hardware) and may ask for a VM exit, whose
/// cause Core counts and whose KVM handler runs once the #VMEXIT has landed (half of the VMRUN/#VMEXIT round
/// trip) and has done its work (the ICR emulation, or the incomplete-IPI kicks): the exit's cost is on the
/// IPI's critical path.
/// </summary>
internal sealed class IcrWritePath : IEventHandler
{
    private readonly MachineState _m;
    private readonly int _kind;

    public IcrWritePath(MachineState m)
    {
        _m = m;
        _kind = m.Engine.RegisterKind("IcrExitHandler", this);
    }

    /// <summary>The guest writes ICR; returns true if the write exits.</summary>
    public bool Write(VcpuRuntime v, Icr icr)
    {
        v.Counters.IpisSent++;
        _m.Monitor.TraceInstant(v.Cpu, TraceKind.IcrWrite, v.Info.Id, (long)icr.Value);
        _m.IcrSender = v.Info.Id;
        IcrWriteOutcome outcome = _m.InterruptVirtualization.WriteIcr(v.Info.Id, icr);
        _m.IcrSender = -1;
        if (!outcome.Exits)
        {
            return false;
        }

        Count(v, in outcome);
        v.ExitInfo2 = outcome.ExitInfo2;
        long expectedHandlerNs = _m.Costs.IpiEmulationNs;
        long acts = (_m.Costs.VmExitNs / 2) + expectedHandlerNs;
        if (acts <= 0)
        {
            _m.RunLoop.BeginExit(v, TraceKind.VmExit, _m.Costs.VmExitNs + expectedHandlerNs);
            RunHandler(v, in outcome, expectedHandlerNs);
            return true;
        }

        // The handler's event is scheduled before the exit's phase is armed: with Costs:VmExitNs = 0 both fall in the
        // same nanosecond, and KVM's handler must run before the VMRUN that ends the exit (the engine dispatches
        // equal times in the order they were scheduled). Otherwise the guest ran on, and its next ICR write replaced
        // the pending one, whose handler never ran (found in review). With VmExitNs > 0 the handler acts earlier anyway.
        v.PendingIcrExit = outcome;
        v.IcrExitPending = true;
        _m.Monitor.Wakeups.IcrExitBegan(v);
        _m.Engine.Schedule(_m.Now + acts, _kind, v.Info.Id);
        _m.RunLoop.BeginExit(v, TraceKind.VmExit, _m.Costs.VmExitNs + expectedHandlerNs);
        return true;
    }

    void IEventHandler.Handle(in SimEvent e)
    {
        var v = _m.Vcpus[e.Subject];
        v.IcrExitPending = false;
        _m.Monitor.Wakeups.IcrExitHandled(v);
        RunHandler(v, in v.PendingIcrExit, _m.Costs.IpiEmulationNs);
    }

    /// <summary>
    /// Runs KVM's exit handler. The exit was charged <paramref name="expectedNs"/> for it; a handler that reports
    /// another cost lengthens or shortens the exit (or what is owed, if the vCPU was preempted meanwhile).
    /// </summary>
    private void RunHandler(VcpuRuntime v, in IcrWriteOutcome outcome, long expectedNs)
    {
        _m.IcrSender = v.Info.Id;
        long delta = Math.Max(0, _m.InterruptVirtualization.HandleExit(v.Info.Id, in outcome)) - expectedNs;
        _m.IcrSender = -1;
        if (delta == 0)
        {
            return;
        }

        if (v.Phase == VcpuPhase.ExitHandling && v.State == VcpuState.InHostKernel)
        {
            _m.RunLoop.MovePhaseEnd(v, Math.Max(_m.Now, v.PhaseEnd + delta));
        }
        else
        {
            v.RemainingNs = Math.Max(0, v.RemainingNs + delta);
        }
    }

    private void Count(VcpuRuntime v, in IcrWriteOutcome outcome)
    {
        var counters = _m.Counters;
        if (outcome.Exit == IcrExitKind.IcrWriteTrap)
        {
            counters.ExitsIcrWrite++;
            v.ExitReason = ExitReason.Npf; // without AVIC the xAPIC ICR is an MMIO page: a nested page fault
            return;
        }

        v.ExitReason = ExitReason.AvicIncompleteIpi;
        v.Counters.IncompleteIpiExits++;
        switch (outcome.Cause)
        {
            case IncompleteIpiCause.TargetNotRunning: counters.ExitsTargetNotRunning++; break;
            case IncompleteIpiCause.InvalidTarget: counters.ExitsInvalidTarget++; break;
            case IncompleteIpiCause.InvalidIntType: counters.ExitsInvalidIntType++; break;
            case IncompleteIpiCause.InvalidBackingPage: counters.ExitsInvalidBackingPage++; break;
            default: counters.ExitsInvalidIpiVector++; break;
        }
    }
}
