using Emu.Core.Contracts;
using Emu.Core.Model;
using Microsoft.Win32.SafeHandles;

namespace Emu.Core.Workloads;

/// <summary>
/// Replays a recording: each vCPU issues its recorded actions in order (compute bursts of the recorded guest time,
/// ICR writes, halts with the recorded timeout, userspace and MMIO exits as long out of guest mode as recorded);
/// interrupts, halts and wake-ups follow Emu's model. A vCPU whose recording has ended halts with no timeout, for
/// the rest of the run: only an interrupt wakes it, and it halts again.
/// </summary>
internal sealed class TraceReplayWorkload : IWorkload, IDisposable
{
    private readonly SafeFileHandle _file;
    private readonly ReplayActionCursor[] _cursors;
    private readonly long _userspaceCostNs;
    private readonly long _mmioCostNs;

    /// <param name="path">The VM's actions file.</param>
    /// <param name="header">Its header, read while the scenario was validated.</param>
    /// <param name="costs">
    /// Core's costs: a recorded userspace or MMIO exit's length (kvm_exit to kvm_entry) already holds what Emu charges
    /// for the exit itself (<c>VmExitNs</c>, and <c>UserspaceRoundTripNs</c> for KVM_RUN's return and re-entry), so the
    /// replay asks only for the rest. Null: none are left out.
    /// </param>
    public TraceReplayWorkload(string path, ReplayActionsHeader header, CostModel? costs = null)
    {
        _mmioCostNs = costs?.VmExitNs ?? 0;
        _userspaceCostNs = _mmioCostNs + (costs?.UserspaceRoundTripNs ?? 0);
        _file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        _cursors = new ReplayActionCursor[header.Vcpus.Count];
        for (int i = 0; i < _cursors.Length; i++)
        {
            _cursors[i] = new ReplayActionCursor(_file, path, i, header.Vcpus[i]);
        }
    }

    public GuestAction Next(int vcpu)
    {
        if (!_cursors[vcpu].TryRead(out var action))
        {
            return GuestAction.Halt(0);
        }

        return action.Kind switch
        {
            GuestActionKind.UserspaceExit => GuestAction.Userspace(Math.Max(0, action.DurationNs - _userspaceCostNs)),
            GuestActionKind.MmioExit => GuestAction.Mmio(Math.Max(0, action.DurationNs - _mmioCostNs)),
            _ => action,
        };
    }

    public void OnInterrupt(int vcpu, byte vector)
    {
        // The recording already holds what the guest did after each interrupt: its actions go on in order.
    }

    public void Dispose() => _file.Dispose();
}
