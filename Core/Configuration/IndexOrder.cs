using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Emu.Core.Configuration;

/// <summary>
/// A section's children in the order of their keys read as indices (a JSON array's "0", "1", …, "10"), keys that are
/// not numbers last, ties in their given order — what a stable OrderBy on the index gives, without LINQ's sorter over
/// a value-typed key, which ReadyToRun cannot precompile and every run JIT-compiled (issue 19, start-up).
/// </summary>
internal static class IndexOrder
{
    public static List<IConfigurationSection> Of(IEnumerable<IConfigurationSection> children)
    {
        var list = new List<IConfigurationSection>(children);
        var keys = new long[list.Count];
        for (int i = 0; i < keys.Length; i++)
        {
            int index = int.TryParse(list[i].Key, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) ? n : int.MaxValue;
            keys[i] = ((long)index << 32) | (uint)i; // the position breaks ties: a stable order
        }

        Array.Sort(keys);
        var ordered = new List<IConfigurationSection>(list.Count);
        foreach (long key in keys)
        {
            ordered.Add(list[(int)(uint)key]);
        }

        return ordered;
    }
}
