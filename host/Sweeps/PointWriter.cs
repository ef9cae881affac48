using System.Threading.Channels;

namespace Emu.Host.Sweeps;

/// <summary>
/// Writes finished points (points/N.json) on a thread of its own, in the order they finish, so that a worker goes on
/// to its next point instead of serialising and writing this one (issue 19). <see cref="Complete"/> waits until every
/// point handed over is on disk: an interrupted sweep keeps them all for --resume.
/// </summary>
internal sealed class PointWriter
{
    private readonly Channel<PointResult> _points = Channel.CreateUnbounded<PointResult>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writer;

    public PointWriter(string dir)
    {
        _writer = Task.Run(async () =>
        {
            try
            {
                await foreach (var point in _points.Reader.ReadAllAsync().ConfigureAwait(false))
                {
                    SweepOutput.WritePoint(dir, point);
                }
            }
            catch (Exception ex)
            {
                _points.Writer.TryComplete(ex); // workers' next Post sees it and stops the sweep
                throw;
            }
        });
    }

    public void Post(PointResult point)
    {
        if (!_points.Writer.TryWrite(point))
        {
            // The writer stopped (a write failed): that failure is what Complete reports.
            _writer.GetAwaiter().GetResult();
        }
    }

    /// <summary>Waits for every posted point to be written; a write that failed is thrown here.</summary>
    public void Complete()
    {
        _points.Writer.TryComplete();
        _writer.GetAwaiter().GetResult();
    }
}
