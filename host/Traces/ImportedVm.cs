namespace Emu.Host.Traces;

/// <summary>A VM found in the recording: its vCPU threads by vCPU id (null where the recording shows no thread).</summary>
internal sealed class ImportedVm(int index, int tgid, VcpuThread?[] vcpus)
{
    public int Index { get; } = index;

    public string Name => $"vm{Index}";

    /// <summary>Its process, when the trace shows it; else -1.</summary>
    public int Tgid { get; } = tgid;

    public IReadOnlyList<VcpuThread?> Vcpus { get; } = vcpus;

    public IEnumerable<VcpuThread> Threads => Vcpus.OfType<VcpuThread>();

    /// <summary>The pCPUs its vCPU threads ran on, ascending.</summary>
    public IReadOnlyList<int> Cpus => Threads.SelectMany(t => t.Cpus).Distinct().Order().ToList();
}
