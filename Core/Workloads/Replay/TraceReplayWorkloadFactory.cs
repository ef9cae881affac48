using Emu.Core.Configuration;
using Emu.Core.Contracts;
using Emu.Core.Model;
using Microsoft.Extensions.Configuration;

namespace Emu.Core.Workloads;

/// <summary>
/// <c>Kind: TraceReplay</c>: a recording imported with <c>emu import</c>. Its one key, <c>ActionsFile</c>, names the
/// VM's actions file; its header is read and checked against the VM while the scenario is validated.
/// </summary>
internal sealed class TraceReplayWorkloadFactory : IWorkloadFactory
{
    public const string ActionsFileKey = "ActionsFile";

    public string Kind => "TraceReplay";

    public IWorkloadSettings? Bind(IConfigurationSection section, int vcpuCount, ICollection<string> errors)
    {
        var keys = new SectionKeys(section, "Kind", ActionsFileKey);
        keys.RejectUnknown();
        foreach (string e in keys.Errors)
        {
            errors.Add(e);
        }

        string key = $"{section.Path}:{ActionsFileKey}";
        string? file = section[ActionsFileKey];
        if (string.IsNullOrWhiteSpace(file))
        {
            errors.Add($"{key}: required: the VM's actions file, which emu import writes next to the scenario");
            return null;
        }

        // The host has made a path given in a scenario file relative to that file's folder; an embedder's is the process's.
        string path = Path.GetFullPath(file);
        ReplayActionsHeader header;
        try
        {
            header = ReplayActionsHeader.Read(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            string reason = ex switch
            {
                FileNotFoundException or DirectoryNotFoundException => "no such file",
                UnauthorizedAccessException => "permission denied",
                _ => ex.Message.TrimEnd('.'),
            };
            errors.Add($"{key}: {path}: {reason}");
            return null;
        }

        if (header.Vcpus.Count != vcpuCount)
        {
            errors.Add($"{key}: {path} holds the actions of {header.Vcpus.Count} vCPUs; the VM has {vcpuCount}");
            return null;
        }

        return keys.Errors.Count == 0 ? new Settings(path, header) : null;
    }

    private sealed record Settings(string Path, ReplayActionsHeader Header) : IWorkloadSettings, IIpiVectors
    {
        /// <summary>The recording's vectors in the device range: a device of the VM must not take them for its own.</summary>
        public IEnumerable<byte> IpiVectors => Header.Vectors().Where(v => v is >= DeviceInfo.FirstVector and <= DeviceInfo.LastVector);

        /// <summary>Core's own context carries the costs a recorded exit's length already holds.</summary>
        public IWorkload Create(IWorkloadContext context) => new TraceReplayWorkload(Path, Header, (context as Machine.WorkloadContext)?.Costs);
    }
}
