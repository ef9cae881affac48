using System.Text;

namespace Emu.Host.Traces;

/// <summary>
/// Number and word parsing over a trace line's bytes: no strings, no allocation. Each reader takes what it
/// needs from the front of the span and advances it; false means the text is not what was expected.
/// </summary>
internal static class SpanText
{
    public static ReadOnlySpan<byte> TrimStart(ReadOnlySpan<byte> s)
    {
        int i = 0;
        while (i < s.Length && (s[i] == (byte)' ' || s[i] == (byte)'\t'))
        {
            i++;
        }

        return s[i..];
    }

    public static ReadOnlySpan<byte> TrimEnd(ReadOnlySpan<byte> s)
    {
        int n = s.Length;
        while (n > 0 && (s[n - 1] == (byte)' ' || s[n - 1] == (byte)'\t' || s[n - 1] == (byte)'\r'))
        {
            n--;
        }

        return s[..n];
    }

    /// <summary>Skips <paramref name="prefix"/> at the front of <paramref name="s"/>.</summary>
    public static bool TrySkip(ref ReadOnlySpan<byte> s, ReadOnlySpan<byte> prefix)
    {
        if (!s.StartsWith(prefix))
        {
            return false;
        }

        s = s[prefix.Length..];
        return true;
    }

    /// <summary>An unsigned decimal number of at most 18 digits.</summary>
    public static bool TryDecimal(ref ReadOnlySpan<byte> s, out long value)
    {
        value = 0;
        int i = 0;
        while (i < s.Length && i < 18 && (uint)(s[i] - '0') <= 9)
        {
            value = (value * 10) + (s[i] - '0');
            i++;
        }

        if (i == 0 || (i < s.Length && (uint)(s[i] - '0') <= 9))
        {
            return false;
        }

        s = s[i..];
        return true;
    }

    /// <summary>A hexadecimal number of at most 16 digits, with or without 0x (printf's %#x prints 0 without it).</summary>
    public static bool TryHex(ref ReadOnlySpan<byte> s, out ulong value)
    {
        value = 0;
        if (s.Length > 2 && s[0] == (byte)'0' && (s[1] | 0x20) == (byte)'x')
        {
            s = s[2..];
        }

        int i = 0;
        while (i < s.Length && i < 16)
        {
            int d = HexDigit(s[i]);
            if (d < 0)
            {
                break;
            }

            value = (value << 4) | (uint)d;
            i++;
        }

        if (i == 0 || (i < s.Length && HexDigit(s[i]) >= 0))
        {
            return false;
        }

        s = s[i..];
        return true;
    }

    /// <summary>
    /// A timestamp "seconds.fraction" (trace-cmd and perf print 6 fraction digits, 9 with -t / --ns) in ns.
    /// </summary>
    public static bool TryTimestamp(ref ReadOnlySpan<byte> s, out long ns)
    {
        ns = 0;
        if (!TryDecimal(ref s, out long seconds) || s.IsEmpty || s[0] != (byte)'.' || seconds > 9_000_000_000)
        {
            return false;
        }

        s = s[1..];
        long fraction = 0;
        int digits = 0;
        while (digits < s.Length && (uint)(s[digits] - '0') <= 9)
        {
            if (digits < 9)
            {
                fraction = (fraction * 10) + (s[digits] - '0');
            }

            digits++;
        }

        if (digits == 0)
        {
            return false;
        }

        for (int d = digits; d < 9; d++)
        {
            fraction *= 10;
        }

        s = s[digits..];
        ns = (seconds * 1_000_000_000) + fraction;
        return true;
    }

    /// <summary>The bytes up to the next space (or the end), taken from the front.</summary>
    public static ReadOnlySpan<byte> Word(ref ReadOnlySpan<byte> s)
    {
        int space = s.IndexOf((byte)' ');
        var word = space < 0 ? s : s[..space];
        s = space < 0 ? ReadOnlySpan<byte>.Empty : s[space..];
        return word;
    }

    /// <summary>Text for a message: the bytes as UTF-8 (invalid bytes replaced), at most <paramref name="max"/> characters.</summary>
    public static string Show(ReadOnlySpan<byte> s, int max = 80)
    {
        string text = Encoding.UTF8.GetString(s.Length > max * 4 ? s[..(max * 4)] : s);
        return text.Length > max ? text[..max] + "…" : text;
    }

    /// <summary>A timestamp in the report's own form (seconds with 6 or 9 fraction digits).</summary>
    public static string ShowTime(long ns) =>
        ns % 1000 == 0
            ? $"{ns / 1_000_000_000}.{ns / 1000 % 1_000_000:D6}"
            : $"{ns / 1_000_000_000}.{ns % 1_000_000_000:D9}";

    private static int HexDigit(byte b) => b switch
    {
        >= (byte)'0' and <= (byte)'9' => b - '0',
        >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
        _ => -1,
    };
}
