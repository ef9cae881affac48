using System.ComponentModel.DataAnnotations;

namespace Emu.Core.Configuration;

/// <summary>The HostTasks section: other processes and kernel threads competing for pCPUs.</summary>
public sealed class HostTasksOptions
{
    public const string Section = "HostTasks";

    /// <summary>Host tasks bound to each pCPU.</summary>
    [Range(0, 64, ErrorMessage = "must be between {1} and {2}")]
    public int PerCpu { get; set; }

    /// <summary>Mean length of a run phase (exponential).</summary>
    [Range(1, 1_000_000_000, ErrorMessage = "must be between {1} and {2} microseconds")]
    public long RunUs { get; set; } = 500;

    /// <summary>Mean length of a sleep phase (exponential).</summary>
    [Range(0, 1_000_000_000, ErrorMessage = "must be between {1} and {2} microseconds")]
    public long SleepUs { get; set; } = 2000;

    [Range(1, 88761, ErrorMessage = "must be between {1} and {2}")]
    public int Weight { get; set; } = 1024;
}
