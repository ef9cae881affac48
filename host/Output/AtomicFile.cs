using System.Text;

namespace Emu.Host.Output;

/// <summary>
/// Writes a file whole or not at all: into a temporary file beside it, then renamed over it, so that no crash or
/// interruption leaves a half-written result.json, CSV or report (a rename within a folder is atomic on POSIX and NTFS).
/// </summary>
internal static class AtomicFile
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    public static void WriteAllText(string path, string contents) => WriteAllBytes(path, Utf8.GetBytes(contents));

    public static void WriteAllBytes(string path, byte[] contents)
    {
        string temporary = TemporaryPath(path);
        try
        {
            File.WriteAllBytes(temporary, contents);
            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>Writes a file through a stream (for output too large to hold whole), with the same all-or-nothing rename.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        string temporary = TemporaryPath(path);
        try
        {
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 64 * 1024))
            {
                write(stream);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>A hidden name beside <paramref name="path"/>, unique to this process.</summary>
    public static string TemporaryPath(string path) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, $".{Path.GetFileName(path)}.{Environment.ProcessId}.tmp");
}
