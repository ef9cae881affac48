namespace Emu.Host.Sweeps;

/// <summary>Folder comparisons on full paths, so that "out", "./out/" and "/abs/out" are one folder.</summary>
internal static class SweepPaths
{
    /// <summary>Case-insensitive where the usual file system is (Windows, macOS); symbolic links are not resolved.</summary>
    private static readonly StringComparison Comparison =
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    /// <summary>Whether <paramref name="path"/> is <paramref name="folder"/> or somewhere inside it.</summary>
    public static bool IsSameOrInside(string path, string folder)
    {
        string p = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        string f = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));
        return string.Equals(p, f, Comparison)
            || p.StartsWith(f + Path.DirectorySeparatorChar, Comparison)
            || (Path.GetPathRoot(f) == f && p.StartsWith(f, Comparison));
    }
}
