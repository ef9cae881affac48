using System.Numerics;

namespace Emu.Plugins.Schedulers;

/// <summary>
/// A set of pCPUs as a bitmap (the kernel's cpumask): membership in O(1), and the next member at or after a pCPU in
/// O(pCPUs / 64), so that a scan for an idle pCPU visits the idle ones only instead of every pCPU of the machine.
/// </summary>
internal sealed class CpuBitmap
{
    private readonly ulong[] _words;
    private readonly int _count;

    public CpuBitmap(int count)
    {
        _count = count;
        _words = new ulong[(count + 63) >> 6];
    }

    public bool Contains(int cpu) => (_words[cpu >> 6] & (1UL << (cpu & 63))) != 0;

    public void Add(int cpu) => _words[cpu >> 6] |= 1UL << (cpu & 63);

    public void Remove(int cpu) => _words[cpu >> 6] &= ~(1UL << (cpu & 63));

    /// <summary>Every pCPU of the machine.</summary>
    public void AddAll()
    {
        Array.Fill(_words, ulong.MaxValue);
        if ((_count & 63) != 0)
        {
            _words[^1] = (1UL << (_count & 63)) - 1;
        }
    }

    /// <summary>The lowest member at or after <paramref name="cpu"/>, or -1 (no wrap-around: cpumask_next).</summary>
    public int NextAtOrAfter(int cpu)
    {
        if ((uint)cpu >= (uint)_count)
        {
            return -1;
        }

        int w = cpu >> 6;
        ulong bits = _words[w] & (ulong.MaxValue << (cpu & 63));
        while (bits == 0)
        {
            if (++w == _words.Length)
            {
                return -1;
            }

            bits = _words[w];
        }

        return (w << 6) + BitOperations.TrailingZeroCount(bits);
    }

    /// <summary>
    /// The first member in the cyclic order that starts at <paramref name="origin"/> (origin, …, the last pCPU, 0, …,
    /// origin - 1), or -1: with <see cref="NextCyclic"/>, a scan of the members in the order a scan of every pCPU from
    /// origin would meet them.
    /// </summary>
    public int FirstCyclic(int origin)
    {
        int first = NextAtOrAfter(origin);
        return first >= 0 ? first : BeforeOrigin(NextAtOrAfter(0), origin);
    }

    /// <summary>The member after <paramref name="cpu"/> in the cyclic order that starts at <paramref name="origin"/>, or -1 when the cycle is done.</summary>
    public int NextCyclic(int cpu, int origin)
    {
        int next = NextAtOrAfter(cpu + 1);
        if (cpu < origin)
        {
            return BeforeOrigin(next, origin); // past the wrap: up to origin, not again
        }

        return next >= 0 ? next : BeforeOrigin(NextAtOrAfter(0), origin);
    }

    private static int BeforeOrigin(int cpu, int origin) => cpu >= 0 && cpu < origin ? cpu : -1;
}
