using Emu.Core.Configuration;

namespace Emu.Host.Output;

/// <summary>
/// Every path a command will write is checked, and its folder created, before any work starts: a bad path is exit
/// code 2 with one line naming it, never a lost result at the end of a long run. Folders created here are removed
/// again (if still empty) by <see cref="Abandon"/>, so that input refused later leaves nothing behind.
/// </summary>
internal sealed class OutputPaths
{
    private readonly string _currentDirectory;
    private readonly List<string> _created = new();

    public OutputPaths(string currentDirectory)
    {
        _currentDirectory = currentDirectory;
    }

    /// <summary>Removes the folders this created that are still empty (the command wrote nothing after all).</summary>
    public void Abandon()
    {
        for (int i = _created.Count - 1; i >= 0; i--)
        {
            if (Directory.Exists(_created[i]) && !Directory.EnumerateFileSystemEntries(_created[i]).Any())
            {
                Directory.Delete(_created[i]);
            }
        }
    }

    /// <summary>Creates the folder <paramref name="path"/> if needed and checks a file can be written in it; returns its full path.</summary>
    public string PrepareFolder(string path, string option)
    {
        string full = Path.GetFullPath(path, _currentDirectory);
        if (File.Exists(full))
        {
            throw new EmuConfigurationException($"{option} {full}: is a file, not a folder");
        }

        Try(full, option, "cannot create the folder", () => Create(full));
        string probe = AtomicFile.TemporaryPath(Path.Combine(full, "probe"));
        Try(full, option, "cannot write in the folder", probe, () =>
        {
            File.WriteAllBytes(probe, Array.Empty<byte>());
            File.Delete(probe);
        });
        return full;
    }

    /// <summary>Checks the file <paramref name="path"/> can be written (its folder created, the name not a folder's); returns its full path.</summary>
    public string PrepareFile(string path, string option)
    {
        string full = Path.GetFullPath(path, _currentDirectory);
        if (Directory.Exists(full))
        {
            throw new EmuConfigurationException($"{option} {full}: is a folder, not a file");
        }

        string folder = Path.GetDirectoryName(full)!;
        if (File.Exists(folder))
        {
            throw new EmuConfigurationException($"{option} {full}: {folder} is a file, not a folder");
        }

        Try(full, option, "cannot create its folder", () => Create(folder));
        string probe = AtomicFile.TemporaryPath(full);
        Try(full, option, "cannot write it", probe, () =>
        {
            File.WriteAllBytes(probe, Array.Empty<byte>());
            File.Delete(probe);
        });
        return full;
    }

    /// <summary>Creates a folder and the missing ones above it, remembering each for <see cref="Abandon"/>.</summary>
    private void Create(string folder)
    {
        var missing = new Stack<string>();
        for (string? f = folder; f is not null && !Directory.Exists(f); f = Path.GetDirectoryName(f))
        {
            missing.Push(f);
        }

        Directory.CreateDirectory(folder);
        _created.AddRange(missing);
    }

    private static void Try(string path, string option, string what, Action action) => Try(path, option, what, path, action);

    /// <summary>Runs <paramref name="action"/>; an I/O failure becomes one line naming <paramref name="path"/> (not the probe file it used).</summary>
    private static void Try(string path, string option, string what, string probe, Action action)
    {
        try
        {
            action();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            string reason = ex is UnauthorizedAccessException ? "permission denied" : ex.Message.Replace(probe, path, StringComparison.Ordinal).TrimEnd('.');
            throw new EmuConfigurationException($"{option} {path}: {what} ({reason})");
        }
    }
}
