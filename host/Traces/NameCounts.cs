namespace Emu.Host.Traces;

/// <summary>
/// Counts occurrences by name (skipped events, exits not replayed) for the import's summary. A name is looked up
/// from the line's bytes; only a name seen for the first time allocates its string.
/// </summary>
internal sealed class NameCounts
{
    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly List<string> _names = new();
    private readonly List<long> _counts = new();
    private readonly List<byte[]> _bytes = new();

    /// <summary>
    /// A small hash of the bytes to the id last seen with it: most lines repeat a few names, and this finds them
    /// without decoding or hashing the whole name (checked byte for byte).
    /// </summary>
    private readonly (byte[]? Name, int Id)[] _recent = new (byte[]?, int)[256];

    public NameCounts()
    {
        _lookup = _ids.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>The id of a name (added on first sight); names are ASCII in practice, other bytes are kept as Latin-1.</summary>
    public int IdOf(ReadOnlySpan<byte> name)
    {
        int slot = name.IsEmpty ? 0 : ((name.Length * 31) + (name[^1] * 7) + name[name.Length / 2]) & 0xFF;
        var recent = _recent[slot];
        if (recent.Name is not null && name.SequenceEqual(recent.Name))
        {
            return recent.Id;
        }

        int id = Lookup(name);
        _recent[slot] = (_bytes[id], id); // two names sharing a slot cost lookups, never allocations
        return id;
    }

    private int Lookup(ReadOnlySpan<byte> name)
    {
        Span<char> chars = name.Length <= 128 ? stackalloc char[name.Length] : new char[name.Length];
        for (int i = 0; i < name.Length; i++)
        {
            chars[i] = (char)name[i];
        }

        if (_lookup.TryGetValue(chars, out int id))
        {
            return id;
        }

        string text = new(chars);
        _ids.Add(text, _names.Count);
        _names.Add(text);
        _bytes.Add(name.ToArray());
        _counts.Add(0);
        return _names.Count - 1;
    }

    public void Count(int id) => _counts[id]++;

    public void Count(ReadOnlySpan<byte> name) => Count(IdOf(name));

    public string NameOf(int id) => _names[id];

    public long Total
    {
        get
        {
            long total = 0;
            foreach (long c in _counts)
            {
                total += c;
            }

            return total;
        }
    }

    /// <summary>Every name counted at least once, the most frequent first (then by name, for a stable order).</summary>
    public IReadOnlyList<(string Name, long Count)> Ordered() =>
        _names.Select((n, i) => (Name: n, Count: _counts[i])).Where(p => p.Count > 0)
            .OrderByDescending(p => p.Count).ThenBy(p => p.Name, StringComparer.Ordinal).ToList();
}
