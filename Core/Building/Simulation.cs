using System.Text.Json.Nodes;
using Emu.Core.Contracts;
using Emu.Core.Engine;
using Emu.Core.Results;
using Microsoft.Extensions.DependencyInjection;

namespace Emu.Core.Building;

/// <summary>
/// One built run: step it, run it to a time or to its end, and read its result at any point. The run lasts
/// Simulation:WarmupUs + Simulation:DurationUs; counters restart when the warm-up ends.
/// A plugin that throws stops the run cleanly: the result is marked incomplete and names the plugin.
/// </summary>
public sealed class Simulation : IDisposable
{
    private readonly Machine.Machine _machine;
    private readonly Prepared _prepared;
    private readonly JsonNode _config;
    private readonly long _startMeasureNs;
    private string? _pluginFailure;

    internal Simulation(Simulator engine, Machine.Machine machine, Prepared prepared, JsonNode config)
    {
        Engine = engine;
        _machine = machine;
        _prepared = prepared;
        _config = config;
        var sim = prepared.Options.Simulation;
        _startMeasureNs = sim.WarmupUs * 1000;
        EndTimeNs = (sim.WarmupUs + sim.DurationUs) * 1000;
        Seed = sim.Seed;
        try
        {
            machine.Start(_startMeasureNs); // plugins' code runs from here on (policies place the first tasks)
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            StopOnPluginException(ex);
        }
    }

    internal Simulator Engine { get; }

    /// <summary>The machine, read-only: topology, guests, vCPU states.</summary>
    public IMachineView Machine => _machine;

    /// <summary>Simulation:SampleUs's samples so far, one per interval (empty when it is 0).</summary>
    public IReadOnlyList<TimeSample> TimeSeries => _machine.TimeSeries;

    internal Machine.Machine Internals => _machine;

    /// <summary>The nested model of this run, if a plugin provides one (for tests and the state dump).</summary>
    internal INestedInterruptVirtualization? Nested => _prepared.Nested;

    public long Seed { get; }

    /// <summary>Events dispatched so far.</summary>
    public long EventsDispatched => Engine.EventsDispatched;

    /// <summary>The time of the next event, or <see cref="long.MaxValue"/> when none is left (for an emulator that co-simulates).</summary>
    public long Peek() => Engine.Peek();

    /// <summary>Adds an observer that sees every event after its handler (any number; Core's own monitor runs first).</summary>
    public void AddObserver(IEventObserver observer) => Engine.AddObserver(observer);

    /// <summary>The state dumps plugins registered (<see cref="IStateDump"/>), in registration order.</summary>
    public IReadOnlyList<IStateDump> StateDumps => _prepared.Provider.GetServices<IStateDump>().ToList();

    public long EndTimeNs { get; }

    /// <summary>When the warm-up ends and the counts restart (Simulation:WarmupUs), ns.</summary>
    public long WarmupNs => _startMeasureNs;

    public long Now => Engine.Now;

    /// <summary>Why the run stopped early (a broken invariant, a plugin's exception), or null.</summary>
    public string? Failure => _pluginFailure ?? _machine.Failure;

    /// <summary>True when the run stopped because plugin code threw (bad plugin), not on a model invariant.</summary>
    public bool FailedInPlugin => _pluginFailure is not null;

    public bool IsFinished => Failure is not null || Engine.Now >= EndTimeNs || Engine.PendingCount == 0;

    /// <summary>Dispatches one event if the run has not reached its end; returns false when finished.</summary>
    public bool Step()
    {
        if (IsFinished)
        {
            return false;
        }

        try
        {
            return Engine.Step() && !IsFinished;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            StopOnPluginException(ex);
            return false;
        }
    }

    /// <summary>Runs every event up to <paramref name="timeNs"/> (at most the end of the run).</summary>
    public void RunUntil(long timeNs)
    {
        if (Failure is not null)
        {
            return; // a stopped run stays stopped where it failed
        }

        long until = Math.Min(timeNs, EndTimeNs);
        try
        {
            Engine.RunUntil(until);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            StopOnPluginException(ex);
        }
    }

    /// <summary>Simulated time of one <see cref="RunUntil"/> call of <see cref="RunToEnd"/>.</summary>
    private const long SliceNs = 1_000_000;

    /// <summary>Runs to the end and returns the result.</summary>
    public SimulationResult Run()
    {
        RunToEnd();
        return GetResult();
    }

    /// <summary>
    /// Runs to the end (or until it fails), in slices of a simulated millisecond, asking <paramref name="stop"/> between
    /// two: `emu run` stops there on Ctrl-C. Results do not depend on the slices. They are there for the JIT too: the
    /// engine's loop, called once per slice, is promoted to tier-1 code; called once for a whole run it would only ever
    /// run in its on-stack-replacement variant, which is compiled differently (docs/benchmarks.md, tenth session).
    /// </summary>
    public void RunToEnd(Func<bool>? stop = null)
    {
        while (Now < EndTimeNs && Failure is null && (stop is null || !stop()))
        {
            RunUntil(Math.Min(EndTimeNs, Now + SliceNs));
        }
    }

    /// <summary>The result as of now (complete once the run reached its end without failure).</summary>
    public SimulationResult GetResult()
    {
        long measured = Math.Max(0, Engine.Now - _startMeasureNs);
        var r = ResultBuilder.Build(_machine, _config.DeepClone(), Seed, measured, Engine.EventsDispatched);
        bool complete = Failure is null && Engine.Now >= EndTimeNs;
        return r with { Completed = complete, Failure = Failure, Producer = Producer.Of(_prepared.Plugins) };
    }

    public void Dispose()
    {
        _machine.DisposeWorkloads();
        _prepared.Dispose();
    }

    /// <summary>Plugin code threw: the run stops, and the result names the assembly (no closure: RunUntil allocates nothing).</summary>
    private void StopOnPluginException(Exception ex)
    {
        string source = ex.TargetSite?.DeclaringType?.Assembly.GetName().Name ?? "unknown";
        _pluginFailure = $"{source} threw {ex.GetType().Name} at {Engine.Now} ns: {ex.Message}";
        Engine.Stop();
    }
}
