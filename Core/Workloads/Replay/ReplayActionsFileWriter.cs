using Emu.Core.Contracts;

namespace Emu.Core.Workloads;

/// <summary>
/// Writes the actions files of the <c>TraceReplay</c> workload (<c>Vms:i:Workload:ActionsFile</c>). An importer appends
/// each recorded vCPU's actions to a stream of its own as it reads the trace, in whatever order they come; the
/// streams are staged in blocks in one temporary file, so memory does not grow with the recording. Once the trace
/// is read and the vCPUs are grouped into VMs, <see cref="WriteFile"/> writes one VM's file from its vCPUs' streams.
/// </summary>
public sealed class ReplayActionsFileWriter : IDisposable
{
    private const int BlockBytes = 16 * 1024;

    private readonly FileStream _staging;
    private readonly List<ActionStream> _streams = new();

    /// <param name="stagingPath">A temporary file for the staged blocks; it is deleted when the writer is disposed.</param>
    public ReplayActionsFileWriter(string stagingPath)
    {
        _staging = new FileStream(stagingPath, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
    }

    /// <summary>A new, empty stream of actions (one recorded vCPU); returns its number.</summary>
    public int AddStream()
    {
        _streams.Add(new ActionStream());
        return _streams.Count - 1;
    }

    /// <summary>The actions appended to <paramref name="stream"/> so far.</summary>
    public long ActionCount(int stream) => _streams[stream].Actions;

    /// <summary>The ICR writes appended to <paramref name="stream"/> so far.</summary>
    public long IcrWriteCount(int stream) => _streams[stream].IcrWrites;

    /// <summary>Appends a compute burst, ICR write, halt, userspace exit or MMIO exit (other kinds are refused).</summary>
    public void Append(int stream, GuestAction action)
    {
        var s = _streams[stream];
        if (s.Used > BlockBytes - ReplayActionsFormat.MaxRecordBytes)
        {
            s.Blocks.Add((_staging.Position, s.Used));
            _staging.Write(s.Buffer, 0, s.Used);
            s.Used = 0;
        }

        s.Used += ReplayActionsFormat.Encode(action, s.Buffer.AsSpan(s.Used));
        s.Actions++;
        if (action.Kind == GuestActionKind.SendIpi)
        {
            s.IcrWrites++;
            byte vector = action.Icr.Vector;
            s.Vectors[vector >> 3] |= (byte)(1 << (vector & 7));
        }
    }

    /// <summary>
    /// Writes one VM's actions file to <paramref name="output"/>: vCPU i replays stream <c>streams[i]</c>, or nothing
    /// (it halts from the start) where that is -1. <paramref name="recordedNs"/> is the recording's length.
    /// </summary>
    public void WriteFile(Stream output, IReadOnlyList<int> streams, long recordedNs)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(streams);
        if (streams.Count is 0 or > 255)
        {
            throw new ArgumentException($"a VM has 1 to 255 vCPUs, not {streams.Count}", nameof(streams));
        }

        var vectors = new byte[ReplayActionsFormat.VectorBitmapBytes];
        var header = new byte[ReplayActionsFormat.HeaderBytes(streams.Count)];
        long offset = header.Length;
        for (int i = 0; i < streams.Count; i++)
        {
            var s = streams[i] < 0 ? null : _streams[streams[i]];
            long bytes = s?.Bytes ?? 0;
            ReplayActionsFormat.WriteIndexEntry(header.AsSpan(ReplayActionsFormat.FixedHeaderBytes + (i * ReplayActionsFormat.IndexEntryBytes)), offset, bytes, s?.Actions ?? 0);
            offset += bytes;
            for (int b = 0; s is not null && b < vectors.Length; b++)
            {
                vectors[b] |= s.Vectors[b];
            }
        }

        ReplayActionsFormat.WriteFixedHeader(header, streams.Count, recordedNs, vectors);
        output.Write(header);
        var copy = new byte[BlockBytes];
        foreach (int stream in streams)
        {
            if (stream < 0)
            {
                continue;
            }

            var s = _streams[stream];
            foreach (var (at, length) in s.Blocks)
            {
                _staging.Position = at;
                _staging.ReadExactly(copy, 0, length);
                output.Write(copy, 0, length);
            }

            output.Write(s.Buffer, 0, s.Used);
        }

        _staging.Seek(0, SeekOrigin.End);
    }

    public void Dispose() => _staging.Dispose();

    private sealed class ActionStream
    {
        public byte[] Buffer { get; } = new byte[BlockBytes];

        public int Used { get; set; }

        public List<(long At, int Length)> Blocks { get; } = new();

        public long Actions { get; set; }

        public long IcrWrites { get; set; }

        public byte[] Vectors { get; } = new byte[ReplayActionsFormat.VectorBitmapBytes];

        public long Bytes
        {
            get
            {
                long total = Used;
                foreach (var (_, length) in Blocks)
                {
                    total += length;
                }

                return total;
            }
        }
    }
}
