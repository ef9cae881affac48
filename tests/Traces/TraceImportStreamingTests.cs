using Emu.Core.Contracts;
using Emu.Core.Workloads;
using Emu.Host.Traces;

namespace Emu.Tests.Traces;

/// <summary>
/// A long trace imports in one streaming pass: memory does not grow with its length (what each line allocates is
/// measured on this thread over 2 M lines against 200 k), and every line is accounted for. Speed is measured by
/// emu import on a large file (docs/traces.md), not asserted here.
/// </summary>
public class TraceImportStreamingTests
{
    [Test]
    public void TwoMillionLines_ImportWithoutAllocatingPerLine()
    {
        long small = Allocated(200_000, out _);
        long large = Allocated(2_000_000, out var trace);
        double perLine = (large - small) / 1_800_000.0;
        TestContext.Out.WriteLine($"{small:N0} B for 200 k lines, {large:N0} B for 2 M: {perLine:F4} B per line");
        Assert.That(perLine, Is.LessThan(0.5), $"bytes allocated per line beyond the first 200 k: {perLine:F3} ({small:N0} B for 200 k lines, {large:N0} B for 2 M)");
        Assert.That((trace.Lines, trace.Events), Is.EqualTo((2_000_000L, 2_000_000L)));
        Assert.That(trace.VcpuThreads.Select(t => (t.IcrWrites, t.UserspaceExits)), Is.EqualTo(new[] { (100_000L, 100_000L), (0L, 0L) }), "one ICR write and one userspace exit per block of 20 lines");
    }

    [Test]
    public void ALongTrace_ReplaysWhatItRecorded()
    {
        var x = TraceExcerpt.Import(new SyntheticTraceStream(20_000));
        Assert.That(x.Actions[0][0].Count(a => a.Kind == GuestActionKind.SendIpi), Is.EqualTo(1_000));
        Assert.That(x.Actions[0][0].Take(6).Select(TraceExcerpt.Show), Is.EqualTo(new[] { "C 20000", "I 0x01000000000040FB", "C 17000", "U 15000", "C 35000", "H 10001" }));
        Assert.That(x.Actions[0][1].Take(3).Select(TraceExcerpt.Show), Is.EqualTo(new[] { "H 22000", "C 24000", "H 76001" }));
    }

    /// <summary>What importing <paramref name="lines"/> lines allocates on this thread (reading the trace and staging the actions).</summary>
    private static long Allocated(long lines, out ImportedTrace trace)
    {
        string folder = Directory.CreateTempSubdirectory("emu-stream-").FullName;
        try
        {
            using var stream = new SyntheticTraceStream(lines);
            using var writer = new ReplayActionsFileWriter(Path.Combine(folder, "staging"));
            long before = GC.GetAllocatedBytesForCurrentThread();
            trace = new TraceImporter("synthetic.txt", writer, hostTasks: true).Read(stream);
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
