namespace Emu.Core.Topology;

/// <summary>
/// Sockets x cores x SMT threads. CPU ids follow Linux on AMD: all first threads of every core, then all
/// second threads (so the sibling of CPU i is i + cores), and APIC IDs pack (socket, core, thread) in
/// power-of-two fields as firmware does (CPUID 0x8000001E / 0xB level shifts).
/// </summary>
public sealed class HostTopology
{
    public HostTopology(int sockets, int coresPerSocket, int threadsPerCore, int numaNodesPerSocket = 1)
    {
        if (sockets < 1 || coresPerSocket < 1 || threadsPerCore < 1 || numaNodesPerSocket < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(sockets), "every topology dimension must be at least 1");
        }

        if (coresPerSocket % numaNodesPerSocket != 0)
        {
            throw new ArgumentException("cores per socket must divide evenly into NUMA nodes", nameof(numaNodesPerSocket));
        }

        Sockets = sockets;
        CoresPerSocket = coresPerSocket;
        ThreadsPerCore = threadsPerCore;
        NumaNodesPerSocket = numaNodesPerSocket;
        ThreadBits = BitsFor(threadsPerCore);
        CoreBits = BitsFor(coresPerSocket);

        int cores = sockets * coresPerSocket;
        var cpus = new PhysicalCpu[cores * threadsPerCore];
        int coresPerNode = coresPerSocket / numaNodesPerSocket;
        for (int thread = 0; thread < threadsPerCore; thread++)
        {
            for (int socket = 0; socket < sockets; socket++)
            {
                for (int core = 0; core < coresPerSocket; core++)
                {
                    int id = (thread * cores) + (socket * coresPerSocket) + core;
                    int sibling = threadsPerCore == 1 ? -1 : (((thread + 1) % threadsPerCore) * cores) + (socket * coresPerSocket) + core;
                    int node = (socket * numaNodesPerSocket) + (core / coresPerNode);
                    cpus[id] = new PhysicalCpu(id, PackApicId(socket, core, thread), socket, core, thread, sibling, node);
                }
            }
        }

        Cpus = cpus;
        if (cpus[^1].ApicId > MaxApicId)
        {
            throw new ArgumentException($"topology needs APIC ID {cpus[^1].ApicId}, above the 12-bit host id field's {MaxApicId}");
        }
    }

    /// <summary>The host physical APIC ID field of an AVIC entry is 12 bits wide.</summary>
    public const int MaxApicId = 0xFFF;

    public int Sockets { get; }
    public int CoresPerSocket { get; }
    public int ThreadsPerCore { get; }
    public int NumaNodesPerSocket { get; }
    public int ThreadBits { get; }
    public int CoreBits { get; }
    public int NumaNodes => Sockets * NumaNodesPerSocket;
    public IReadOnlyList<PhysicalCpu> Cpus { get; }
    public int Count => Cpus.Count;

    public int PackApicId(int socket, int core, int thread) =>
        (socket << (CoreBits + ThreadBits)) | (core << ThreadBits) | thread;

    private static int BitsFor(int count)
    {
        int bits = 0;
        while ((1 << bits) < count)
        {
            bits++;
        }

        return bits;
    }
}
