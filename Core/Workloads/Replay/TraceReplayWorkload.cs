using Emu.Core.Contracts;
using Microsoft.Win32.SafeHandles;

namespace Emu.Core.Workloads;

/// <summary>
/// Replays a recording: each vCPU issues its recorded actions in order (compute bursts of the recorded guest time,
/// ICR writes, halts with the recorded halt time as their timeout, userspace and MMIO exits of the recorded
/// length); interrupts, halts and wake-ups follow Emu's model. A vCPU whose recording has ended halts with no
/// timeout, for the rest of the run: only an interrupt wakes it, and it halts again.
/// </summary>
internal sealed class TraceReplayWorkload : IWorkload, IDisposable
{
    private readonly SafeFileHandle _file;
    private readonly ReplayActionCursor[] _cursors;

    public TraceReplayWorkload(string path, ReplayActionsHeader header)
    {
        _file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        _cursors = new ReplayActionCursor[header.Vcpus.Count];
        for (int i = 0; i < _cursors.Length; i++)
        {
            _cursors[i] = new ReplayActionCursor(_file, path, i, header.Vcpus[i]);
        }
    }

    public GuestAction Next(int vcpu) => _cursors[vcpu].TryRead(out var action) ? action : GuestAction.Halt(0);

    public void OnInterrupt(int vcpu, byte vector)
    {
        // The recording already holds what the guest did after each interrupt: its actions go on in order.
    }

    public void Dispose() => _file.Dispose();
}
