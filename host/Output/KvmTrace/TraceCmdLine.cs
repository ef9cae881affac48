using System.Globalization;

namespace Emu.Host.Output.KvmTrace;

/// <summary>
/// One line of `trace-cmd report` text, formatted into a reused buffer (no allocation per line). The context columns
/// are libtraceevent's: <c>"%16s-%-5d [%03d] %5lu.%06lu: %s: "</c>, then spaces up to 20 characters of event name, then
/// the event's own text (its TP_printk). The time is microseconds rounded from nanoseconds, as trace-cmd prints it, or
/// with <c>nanoseconds</c> all nine digits, as <c>trace-cmd report -t</c> prints them (<c>%5lu.%09lu</c>).
/// </summary>
internal sealed class TraceCmdLine
{
    /// <summary>trace-cmd pads the event name to this many characters before the event's text.</summary>
    private const int NameWidth = 20;

    private readonly bool _nanoseconds;
    private char[] _buffer = new char[256];
    private int _length;

    public TraceCmdLine(bool nanoseconds = false) => _nanoseconds = nanoseconds;

    /// <summary>Starts a line: the task that runs on the CPU (its comm and pid), the CPU, the time and the event's name.</summary>
    public TraceCmdLine Begin(string comm, int pid, int cpu, long timeNs, string eventName)
    {
        _length = 0;
        Pad(16 - comm.Length);
        Text(comm).Char('-');
        int start = _length;
        Int(pid);
        Pad(5 - (_length - start));
        Text(" [").Int(cpu, 3).Text("] ");
        long perSecond = _nanoseconds ? 1_000_000_000 : 1_000_000;
        long ticks = _nanoseconds ? timeNs : (timeNs + 500) / 1000;
        start = _length;
        Int(ticks / perSecond);
        Pad(5 - (_length - start), insertAt: start);
        Char('.').Int(ticks % perSecond, _nanoseconds ? 9 : 6).Text(": ").Text(eventName).Text(": ");
        return Pad(NameWidth - eventName.Length);
    }

    public TraceCmdLine Text(string text)
    {
        Ensure(text.Length);
        text.CopyTo(0, _buffer, _length, text.Length);
        _length += text.Length;
        return this;
    }

    public TraceCmdLine Char(char c)
    {
        Ensure(1);
        _buffer[_length++] = c;
        return this;
    }

    /// <summary>A decimal number (printf's %d / %u / %lld), zero-padded to <paramref name="digits"/> (%03d).</summary>
    public TraceCmdLine Int(long value, int digits = 1)
    {
        Ensure(24);
        value.TryFormat(_buffer.AsSpan(_length), out int written, Digits('D', digits), CultureInfo.InvariantCulture);
        _length += written;
        return this;
    }

    /// <summary>Lower-case hex without a prefix, zero-padded to <paramref name="digits"/> (printf's %x, %08x, %016llx).</summary>
    public TraceCmdLine Hex(ulong value, int digits = 1)
    {
        Ensure(24);
        value.TryFormat(_buffer.AsSpan(_length), out int written, Digits('x', digits), CultureInfo.InvariantCulture);
        _length += written;
        return this;
    }

    /// <summary>
    /// printf's <c>%#010x</c> as glibc prints it (libtraceevent hands the format to it): "0x" and 8 digits, but zero as
    /// ten zeros (the '#' flag adds no prefix to 0).
    /// </summary>
    public TraceCmdLine AlternateHex10(uint value) => value == 0 ? Text("0000000000") : Text("0x").Hex(value, 8);

    /// <summary>Ends the line and writes it.</summary>
    public void WriteTo(TextWriter writer)
    {
        Char('\n');
        writer.Write(_buffer, 0, _length);
    }

    /// <summary>The line as text (tests).</summary>
    public override string ToString() => new(_buffer, 0, _length);

    private TraceCmdLine Pad(int count, int insertAt = -1)
    {
        if (count <= 0)
        {
            return this;
        }

        Ensure(count);
        if (insertAt >= 0)
        {
            Array.Copy(_buffer, insertAt, _buffer, insertAt + count, _length - insertAt); // right-align what was written from there
            Array.Fill(_buffer, ' ', insertAt, count);
        }
        else
        {
            Array.Fill(_buffer, ' ', _length, count);
        }

        _length += count;
        return this;
    }

    private void Ensure(int more)
    {
        if (_length + more > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + more));
        }
    }

    private static ReadOnlySpan<char> Digits(char kind, int digits) => digits switch
    {
        1 => kind == 'D' ? "D" : "x",
        3 => kind == 'D' ? "D3" : "x3",
        6 => kind == 'D' ? "D6" : "x6",
        8 => kind == 'D' ? "D8" : "x8",
        9 => kind == 'D' ? "D9" : "x9",
        16 => kind == 'D' ? "D16" : "x16",
        _ => throw new ArgumentOutOfRangeException(nameof(digits), digits, "a width trace-cmd's formats use"),
    };
}
