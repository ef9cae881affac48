using System.Runtime.CompilerServices;

namespace Emu.Core.Model;

/// <summary>
/// A 256-bit APIC vector register (IRR, ISR, TMR). On the backing page the IRR sits at 0x200-0x270:
/// eight 32-bit words at a 16-byte stride, vector v in word v/32, bit v%32.
/// </summary>
public struct InterruptRequestRegister
{
    private Words _words;

    public readonly bool IsEmpty => (_words[0] | _words[1] | _words[2] | _words[3]) == 0;

    /// <summary>Sets the vector's bit; returns false if it was already set (the interrupt coalesces).</summary>
    public bool Set(byte vector)
    {
        ulong bit = 1UL << (vector & 63);
        int i = vector >> 6;
        bool wasClear = (_words[i] & bit) == 0;
        _words[i] |= bit;
        return wasClear;
    }

    public readonly bool IsSet(byte vector) => (_words[vector >> 6] & (1UL << (vector & 63))) != 0;

    public void Clear(byte vector) => _words[vector >> 6] &= ~(1UL << (vector & 63));

    /// <summary>The highest set vector (the one the APIC delivers first), or -1.</summary>
    public readonly int Highest()
    {
        for (int i = 3; i >= 0; i--)
        {
            if (_words[i] != 0)
            {
                return (i * 64) + 63 - (int)ulong.LeadingZeroCount(_words[i]);
            }
        }

        return -1;
    }

    /// <summary>The 32-bit register at backing-page offset 0x200 + 0x10 * index (index 0..7).</summary>
    public readonly uint Register32(int index)
    {
        ulong w = _words[index >> 1];
        return (index & 1) == 0 ? (uint)w : (uint)(w >> 32);
    }

    [InlineArray(4)]
    private struct Words
    {
        private ulong _element;
    }
}
