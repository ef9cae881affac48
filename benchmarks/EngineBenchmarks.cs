using BenchmarkDotNet.Attributes;
using Emu.Benchmarks.Load;

namespace Emu.Benchmarks;

/// <summary>
/// The engine alone against a bare PriorityQueue doing the same work (DESIGN §2; issue "Foundation" item 12).
/// Each invocation dispatches <see cref="Events"/> events; results are per event.
/// </summary>
[MemoryDiagnoser]
public class EngineBenchmarks
{
    public const int Events = 1_000_000;

    private SyntheticLoad.EngineSide _engine = null!;
    private SyntheticLoad.PriorityQueueSide _bare = null!;

    [Params(256, 4096)]
    public int N { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _engine = new SyntheticLoad.EngineSide(N, seed: 42);
        _bare = new SyntheticLoad.PriorityQueueSide(N, seed: 42);

        // Reach steady state (queue arrays at their final size) before measuring.
        _engine.Run(Events);
        _bare.Run(Events);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Events)]
    public void BarePriorityQueue() => _bare.Run(Events);

    [Benchmark(OperationsPerInvoke = Events)]
    public void Engine() => _engine.Run(Events);
}
