using System.Runtime.InteropServices;

namespace Emu.Core.Machine;

/// <summary>
/// One IRR vector's pending IPIs: when its bit was set and how many sends it coalesced, side by side so that
/// setting and taking a vector touch one cache line, not one in each of two arrays (issue 19). Packed to 12 bytes:
/// a vCPU's 256 of them take the 3 KiB the two arrays took.
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 4)]
internal struct PendingVector
{
    /// <summary>When the vector's IRR bit was set (the start of its latency).</summary>
    public long Since;

    /// <summary>Sends that set or found the bit set since the guest last took it.</summary>
    public int Count;
}
