namespace Emu.Host.Output;

/// <summary>
/// A file written as a stream over a whole run (a trace): into <see cref="AtomicFile.TemporaryPath"/> beside it,
/// renamed over it by <see cref="Commit"/>, deleted by <see cref="Dispose"/> if never committed (the scenario did not
/// validate, the run crashed), so that no half-written file is left either way.
/// </summary>
internal sealed class PendingFile : IDisposable
{
    private readonly string _path;
    private readonly string _temporary;
    private bool _done;

    public PendingFile(string path)
    {
        _path = path;
        _temporary = AtomicFile.TemporaryPath(path);
        Stream = File.Create(_temporary);
    }

    public Stream Stream { get; }

    /// <summary>Closes the stream (the writer on it must have flushed) and renames the file over its target.</summary>
    public void Commit()
    {
        Stream.Dispose();
        File.Move(_temporary, _path, overwrite: true);
        _done = true;
    }

    /// <summary>Closes the stream; a file never committed is deleted (disposing twice deletes once).</summary>
    public void Dispose()
    {
        Stream.Dispose();
        if (!_done && File.Exists(_temporary))
        {
            File.Delete(_temporary);
        }

        _done = true;
    }
}
