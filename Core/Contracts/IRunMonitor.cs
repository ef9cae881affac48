using Emu.Core.Model;

namespace Emu.Core.Contracts;

/// <summary>
/// Core's run monitor as a plugin reaches it: report a broken invariant or a lost wake-up (both stop or mark
/// the run), add a check that runs after every event in check mode, and emit trace instants.
/// </summary>
public interface IRunMonitor
{
    /// <summary>True when invariants are checked after every event.</summary>
    bool CheckInvariants { get; }

    /// <summary>Registers a check that runs after every event in check mode (it calls <see cref="ReportViolation"/>).</summary>
    void AddInvariant(Action check);

    /// <summary>Stops the run with a report: a broken invariant.</summary>
    void ReportViolation(string message);

    /// <summary>Records a lost wake-up: a blocked vCPU with a pending interrupt and no wake-up on its way.</summary>
    void ReportLostWakeup(int vcpu, string detail);

    /// <summary>Emits a trace instant (no cost when no trace sink listens).</summary>
    void TraceInstant(int pcpu, TraceKind kind, int vcpu, long argument);

    /// <summary>Emits a counter's new value (e.g. a vCPU's "IsRunning"); no cost when no trace sink listens.</summary>
    void TraceCounter(string name, int id, long value);
}
