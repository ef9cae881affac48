using System.ComponentModel.DataAnnotations;

namespace Emu.Core.Configuration;

/// <summary>The Simulation section.</summary>
public sealed class SimulationOptions
{
    public const string Section = "Simulation";

    public long Seed { get; set; } = 42;

    [Range(1, 3_600_000_000, ErrorMessage = "must be between {1} and {2} microseconds")]
    public long DurationUs { get; set; } = 100_000;

    [Range(0, 3_600_000_000, ErrorMessage = "must be between {1} and {2} microseconds")]
    public long WarmupUs { get; set; }

    /// <summary>Check the model's invariants after every event and stop at the first violation.</summary>
    public bool CheckInvariants { get; set; }

    /// <summary>Every this many microseconds, a sample of what happened in the interval (timeseries.csv); 0 = none.</summary>
    [Range(0, 3_600_000_000, ErrorMessage = "must be between {1} and {2} microseconds")]
    public long SampleUs { get; set; }

    /// <summary>A scenario whose estimated memory is above this is refused before anything is built.</summary>
    [Range(64, 1_048_576, ErrorMessage = "must be between {1} and {2} MB")]
    public long MaxMemoryMb { get; set; } = 2048;
}
