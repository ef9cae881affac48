using Emu.Core.Contracts;
using Microsoft.Win32.SafeHandles;

namespace Emu.Core.Workloads;

/// <summary>
/// Reads one vCPU's recorded actions in order, a block at a time through a buffer of its own: nothing is
/// allocated per action, and the recording's length costs no memory.
/// </summary>
internal sealed class ReplayActionCursor
{
    private const int BlockBytes = 16 * 1024;

    private readonly SafeFileHandle _file;
    private readonly string _path;
    private readonly int _vcpu;
    private readonly byte[] _buffer = new byte[BlockBytes];
    private int _start;
    private int _end;
    private long _next;
    private readonly long _stop;

    public ReplayActionCursor(SafeFileHandle file, string path, int vcpu, ReplayVcpuActions actions)
    {
        _file = file;
        _path = path;
        _vcpu = vcpu;
        _next = actions.Offset;
        _stop = actions.Offset + actions.Bytes;
    }

    /// <summary>The next action, or false at the end of the vCPU's recording.</summary>
    public bool TryRead(out GuestAction action)
    {
        if (_end - _start < ReplayActionsFormat.MaxRecordBytes && _next < _stop)
        {
            Refill();
        }

        if (_start == _end)
        {
            action = default;
            return false;
        }

        int used = ReplayActionsFormat.Decode(_buffer.AsSpan(_start, _end - _start), out action);
        if (used <= 0)
        {
            long at = _next - (_end - _start);
            throw new InvalidDataException($"{_path}: vCPU {_vcpu}'s actions are damaged at byte {at} (import the trace again)");
        }

        _start += used;
        return true;
    }

    /// <summary>Moves what is left of the block to the front and reads on from the file behind it.</summary>
    private void Refill()
    {
        int left = _end - _start;
        Buffer.BlockCopy(_buffer, _start, _buffer, 0, left);
        _start = 0;
        _end = left;
        int want = (int)Math.Min(_buffer.Length - left, _stop - _next);
        while (want > 0)
        {
            int read = RandomAccess.Read(_file, _buffer.AsSpan(_end, want), _next);
            if (read <= 0)
            {
                throw new InvalidDataException($"{_path}: vCPU {_vcpu}'s actions end early at byte {_next} (the file is cut short)");
            }

            _end += read;
            _next += read;
            want -= read;
        }
    }
}
