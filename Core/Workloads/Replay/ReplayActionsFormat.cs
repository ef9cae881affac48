using System.Buffers.Binary;
using Emu.Core.Contracts;
using Emu.Core.Model;

namespace Emu.Core.Workloads;

/// <summary>
/// The layout of a TraceReplay workload's actions file (one per VM, written by <c>emu import</c>), little-endian:
/// <code>
/// 0   8 bytes  magic "EMU-ACTS"
/// 8   u32      version (1)
/// 12  u32      vCPUs (n)
/// 16  u64      the recording's length, ns
/// 24  32 bytes the IPI vectors the recording's ICR writes use (a bit per vector)
/// 56  n x (u64 offset, u64 bytes, u64 actions): where each vCPU's actions lie in the file, in vCPU order
/// ... the actions: per action a tag byte (1 compute, 2 ICR write, 3 halt, 4 userspace exit, 5 MMIO exit) and
///     an unsigned LEB128 value (the duration in ns, or the 64-bit ICR)
/// </code>
/// Variable-length numbers keep a compute burst of a few microseconds to 3 or 4 bytes, so a vCPU's actions are
/// a few bytes each and are read in large blocks.
/// </summary>
internal static class ReplayActionsFormat
{
    public const int Version = 1;
    public const int VectorBitmapBytes = 32;
    public const int FixedHeaderBytes = 8 + 4 + 4 + 8 + VectorBitmapBytes;
    public const int IndexEntryBytes = 24;

    /// <summary>A tag byte and a LEB128 64-bit value (at most 10 bytes).</summary>
    public const int MaxRecordBytes = 11;

    public static ReadOnlySpan<byte> Magic => "EMU-ACTS"u8;

    public static int HeaderBytes(int vcpus) => FixedHeaderBytes + (vcpus * IndexEntryBytes);

    /// <summary>The tag of each action kind the file holds; 0 for the kinds a recording never has.</summary>
    public static byte TagOf(GuestActionKind kind) => kind switch
    {
        GuestActionKind.Compute => 1,
        GuestActionKind.SendIpi => 2,
        GuestActionKind.Halt => 3,
        GuestActionKind.UserspaceExit => 4,
        GuestActionKind.MmioExit => 5,
        _ => 0,
    };

    /// <summary>Writes one action into <paramref name="destination"/> (room for <see cref="MaxRecordBytes"/>); returns the bytes written.</summary>
    public static int Encode(GuestAction action, Span<byte> destination)
    {
        byte tag = TagOf(action.Kind);
        if (tag == 0)
        {
            throw new ArgumentException($"a replay holds compute, ICR writes, halts, userspace and MMIO exits, not {action.Kind}", nameof(action));
        }

        if (action.Kind != GuestActionKind.SendIpi && action.DurationNs < 0)
        {
            throw new ArgumentException($"a {action.Kind} of {action.DurationNs} ns", nameof(action));
        }

        destination[0] = tag;
        ulong value = action.Kind == GuestActionKind.SendIpi ? action.Icr.Value : (ulong)action.DurationNs;
        int n = 1;
        while (value >= 0x80)
        {
            destination[n++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[n++] = (byte)value;
        return n;
    }

    /// <summary>
    /// Reads one action from the start of <paramref name="source"/>: the bytes it took, or 0 when the record is
    /// incomplete (more bytes needed) and -1 when it is not a record (an unknown tag, a number of more than 64 bits).
    /// </summary>
    public static int Decode(ReadOnlySpan<byte> source, out GuestAction action)
    {
        action = default;
        if (source.IsEmpty)
        {
            return 0;
        }

        ulong value = 0;
        int shift = 0;
        for (int i = 1; i < source.Length; i++)
        {
            byte b = source[i];
            if (shift == 63 && b > 1)
            {
                return -1;
            }

            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                if (source[0] != 2 && value > long.MaxValue)
                {
                    return -1;
                }

                long ns = (long)value;
                switch (source[0])
                {
                    case 1: action = GuestAction.Compute(ns); break;
                    case 2: action = GuestAction.SendIpi(new Icr(value)); break;
                    case 3: action = GuestAction.Halt(ns); break;
                    case 4: action = GuestAction.Userspace(ns); break;
                    case 5: action = GuestAction.Mmio(ns); break;
                    default: return -1;
                }

                return i + 1;
            }

            shift += 7;
            if (shift > 63)
            {
                return -1;
            }
        }

        return source[0] is >= 1 and <= 5 ? 0 : -1;
    }

    public static void WriteFixedHeader(Span<byte> header, int vcpus, long recordedNs, ReadOnlySpan<byte> vectorBitmap)
    {
        Magic.CopyTo(header);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], Version);
        BinaryPrimitives.WriteUInt32LittleEndian(header[12..], (uint)vcpus);
        BinaryPrimitives.WriteInt64LittleEndian(header[16..], recordedNs);
        vectorBitmap.CopyTo(header[24..]);
    }

    public static void WriteIndexEntry(Span<byte> entry, long offset, long bytes, long actions)
    {
        BinaryPrimitives.WriteInt64LittleEndian(entry, offset);
        BinaryPrimitives.WriteInt64LittleEndian(entry[8..], bytes);
        BinaryPrimitives.WriteInt64LittleEndian(entry[16..], actions);
    }
}
