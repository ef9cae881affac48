using System.ComponentModel.DataAnnotations;

namespace Emu.Core.Configuration;

/// <summary>The Topology section: the host machine.</summary>
public sealed class TopologyOptions
{
    public const string Section = "Topology";

    [Range(1, 16, ErrorMessage = "must be between {1} and {2}")]
    public int Sockets { get; set; } = 1;

    [Range(1, 1024, ErrorMessage = "must be between {1} and {2}")]
    public int CoresPerSocket { get; set; } = 4;

    [Range(1, 8, ErrorMessage = "must be between {1} and {2}")]
    public int ThreadsPerCore { get; set; } = 2;

    [Range(1, 16, ErrorMessage = "must be between {1} and {2}")]
    public int NumaNodesPerSocket { get; set; } = 1;
}
