namespace Emu.Host.Traces;

/// <summary>
/// Reads a text stream line by line into one reusable buffer: a line is a span of that buffer, valid until the
/// next call, so reading a trace of any length takes the buffer's memory and nothing per line.
/// </summary>
internal sealed class TraceLineReader
{
    /// <summary>A line longer than this is not a trace line (and would otherwise make the buffer grow without bound).</summary>
    public const int MaxLineBytes = 64 * 1024;

    private const int BufferBytes = 1024 * 1024;

    private readonly Stream _stream;
    private readonly byte[] _buffer = new byte[BufferBytes];
    private int _start;
    private int _end;
    private bool _eof;

    public TraceLineReader(Stream stream)
    {
        _stream = stream;
    }

    /// <summary>The number of the line last returned (1-based).</summary>
    public long LineNumber { get; private set; }

    /// <summary>Bytes consumed so far.</summary>
    public long Position { get; private set; }

    /// <summary>The next line without its end (\n or \r\n); false at the end. Throws <see cref="InvalidDataException"/> for a line too long.</summary>
    public bool TryReadLine(out ReadOnlySpan<byte> line)
    {
        while (true)
        {
            var pending = _buffer.AsSpan(_start, _end - _start);
            int newline = pending.IndexOf((byte)'\n');
            if (newline >= 0)
            {
                line = Trim(pending[..newline]);
                Advance(newline + 1);
                return true;
            }

            if (_eof)
            {
                if (pending.IsEmpty)
                {
                    line = default;
                    return false;
                }

                line = Trim(pending);
                Advance(pending.Length);
                return true;
            }

            if (pending.Length >= MaxLineBytes)
            {
                throw new InvalidDataException($"line {LineNumber + 1} is longer than {MaxLineBytes / 1024} KB: not a trace line");
            }

            Fill();
        }
    }

    private void Advance(int bytes)
    {
        _start += bytes;
        Position += bytes;
        LineNumber++;
    }

    private void Fill()
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        int read = _stream.Read(_buffer, _end, _buffer.Length - _end);
        if (read == 0)
        {
            _eof = true;
        }

        _end += read;
    }

    private static ReadOnlySpan<byte> Trim(ReadOnlySpan<byte> line) => line.Length > 0 && line[^1] == (byte)'\r' ? line[..^1] : line;
}
