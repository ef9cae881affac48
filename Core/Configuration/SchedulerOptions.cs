using System.ComponentModel.DataAnnotations;

namespace Emu.Core.Configuration;

/// <summary>The Scheduler section: which policy, by name, and the mechanism's settings.</summary>
public sealed class SchedulerOptions
{
    public const string Section = "Scheduler";

    [Required(ErrorMessage = "is required")]
    public string Policy { get; set; } = "Pinned";

    [Range(1, 1_000_000, ErrorMessage = "must be between {1} and {2} microseconds")]
    public long TimeSliceUs { get; set; } = 3000;

    /// <summary>A runnable task left waiting longer than this stops the run (sched_ext's watchdog); 0 = off.</summary>
    [Range(0, 3_600_000_000, ErrorMessage = "must be between {1} and {2} microseconds")]
    public long WatchdogUs { get; set; } = 30_000_000;

    /// <summary>
    /// A policy to switch to when the watchdog fires, instead of stopping the run (sched_ext falls back to the
    /// fair class when it ejects a BPF scheduler); empty = stop with an error.
    /// </summary>
    public string WatchdogFallback { get; set; } = "";
}
