using System.Globalization;
using Emu.Core.Configuration;

namespace Emu.Host.Sweeps;

/// <summary>
/// <c>--shard i/N</c>: this process runs the points whose index is i modulo N, i from 0 (as a Slurm array task
/// id with --array=0-(N-1), or a Kubernetes Indexed Job's completion index).
/// </summary>
internal readonly record struct ShardSpec(int Index, int Count)
{
    public static readonly ShardSpec Whole = new(0, 1);

    public bool Owns(int point) => point % Count == Index;

    public override string ToString() => $"{Index}/{Count}";

    public static ShardSpec Parse(string? text)
    {
        if (text is null)
        {
            return Whole;
        }

        string[] parts = text.Split('/');
        if (parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int index)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int count)
            && count >= 1 && index < count)
        {
            return new ShardSpec(index, count);
        }

        throw new EmuConfigurationException($"--shard '{text}': expected i/N with 0 <= i < N, e.g. 0/4");
    }
}
