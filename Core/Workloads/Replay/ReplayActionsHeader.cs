using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace Emu.Core.Workloads;

/// <summary>One vCPU's actions in an actions file: where they lie and how many there are.</summary>
internal readonly record struct ReplayVcpuActions(long Offset, long Bytes, long Actions);

/// <summary>An actions file's header (<see cref="ReplayActionsFormat"/>), read and checked against the file's length.</summary>
internal sealed class ReplayActionsHeader
{
    private ReplayActionsHeader(long recordedNs, byte[] vectorBitmap, ReplayVcpuActions[] vcpus)
    {
        RecordedNs = recordedNs;
        VectorBitmap = vectorBitmap;
        Vcpus = vcpus;
    }

    public long RecordedNs { get; }

    public IReadOnlyList<ReplayVcpuActions> Vcpus { get; }

    private byte[] VectorBitmap { get; }

    /// <summary>The vectors the recording's ICR writes use, in ascending order.</summary>
    public IEnumerable<byte> Vectors()
    {
        for (int v = 0; v < 256; v++)
        {
            if ((VectorBitmap[v >> 3] & (1 << (v & 7))) != 0)
            {
                yield return (byte)v;
            }
        }
    }

    /// <summary>Reads the header of <paramref name="path"/>; throws <see cref="InvalidDataException"/> saying what is wrong, or an I/O exception.</summary>
    public static ReplayActionsHeader Read(string path)
    {
        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        return Read(file);
    }

    public static ReplayActionsHeader Read(SafeFileHandle file)
    {
        long length = RandomAccess.GetLength(file);
        Span<byte> fixedPart = stackalloc byte[ReplayActionsFormat.FixedHeaderBytes];
        if (length < fixedPart.Length || RandomAccess.Read(file, fixedPart, 0) != fixedPart.Length || !fixedPart[..8].SequenceEqual(ReplayActionsFormat.Magic))
        {
            throw new InvalidDataException("not a replay actions file (emu import writes them next to the scenario)");
        }

        uint version = BinaryPrimitives.ReadUInt32LittleEndian(fixedPart[8..]);
        if (version != ReplayActionsFormat.Version)
        {
            throw new InvalidDataException($"a replay actions file of version {version}; this emu reads version {ReplayActionsFormat.Version} (import the trace again)");
        }

        uint count = BinaryPrimitives.ReadUInt32LittleEndian(fixedPart[12..]);
        if (count is 0 or > 255)
        {
            throw new InvalidDataException($"holds {count} vCPUs (a VM has 1 to 255)");
        }

        int vcpus = (int)count;
        long recordedNs = BinaryPrimitives.ReadInt64LittleEndian(fixedPart[16..]);
        byte[] bitmap = fixedPart.Slice(24, ReplayActionsFormat.VectorBitmapBytes).ToArray();
        var index = new byte[vcpus * ReplayActionsFormat.IndexEntryBytes];
        if (RandomAccess.Read(file, index, ReplayActionsFormat.FixedHeaderBytes) != index.Length)
        {
            throw new InvalidDataException("its index of vCPUs is cut short");
        }

        var entries = new ReplayVcpuActions[vcpus];
        long dataStart = ReplayActionsFormat.HeaderBytes(vcpus);
        for (int i = 0; i < vcpus; i++)
        {
            var e = index.AsSpan(i * ReplayActionsFormat.IndexEntryBytes);
            var entry = new ReplayVcpuActions(
                BinaryPrimitives.ReadInt64LittleEndian(e), BinaryPrimitives.ReadInt64LittleEndian(e[8..]), BinaryPrimitives.ReadInt64LittleEndian(e[16..]));
            if (entry.Offset < dataStart || entry.Bytes < 0 || entry.Actions < 0 || entry.Offset > length - entry.Bytes)
            {
                throw new InvalidDataException($"vCPU {i}'s actions lie outside the file (offset {entry.Offset}, {entry.Bytes} bytes, the file has {length}); the file is cut short or damaged");
            }

            entries[i] = entry;
        }

        return new ReplayActionsHeader(recordedNs, bitmap, entries);
    }
}
