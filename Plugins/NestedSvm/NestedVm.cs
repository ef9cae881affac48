using Emu.Core.Contracts;
using Emu.Core.Model;

namespace Emu.Plugins.NestedSvm;

/// <summary>
/// One VM's L2 guest: where each L2 vCPU runs in L1, the two physical APIC ID tables for L2, and each L2
/// vCPU's execution state.
/// <list type="bullet">
/// <item>L1's table, as the L1 hypervisor writes it: host id = the APIC ID of the L1 vCPU that runs the L2 vCPU,
/// IsRunning set while L1 runs it (L1 behaves as strict KVM).</item>
/// <item>The shadow, which L0 builds from it and the hardware uses for L2: host id = the real pCPU's APIC ID
/// (from the nested load), IsRunning only where L1 says running and the L1 vCPU is nested-loaded. L0 tracks
/// L1's writes to its table and updates the shadow at once.</item>
/// </list>
/// </summary>
internal sealed class NestedVm
{
    /// <summary>Where L1 keeps its backing pages for L2 (guest-physical, L1's view; any non-zero page-aligned value).</summary>
    private const ulong L1BackingPageBase = 0x2_0000_0000UL;

    /// <summary>Where L0 keeps the shadow's backing pages (host-physical).</summary>
    private const ulong ShadowBackingPageBase = 0x3_0000_0000UL;

    /// <param name="firstTarget">The doorbell target id (<see cref="INestedInterruptVirtualization"/>) of L2 vCPU 0; the others follow.</param>
    public NestedVm(VmInfo l1, NestedOptions options, IWorkload l1Program, int firstTarget)
    {
        L1 = l1;
        Options = options;
        L1Program = l1Program;
        FirstTarget = firstTarget;
        int n = options.Vcpus;
        HostOf = new int[n];
        var hosted = new List<int>[l1.VcpuCount];
        for (int h = 0; h < hosted.Length; h++)
        {
            hosted[h] = new List<int>();
        }

        for (int j = 0; j < n; j++)
        {
            HostOf[j] = options.Mapping == L2Mapping.Pinned ? j : j % l1.VcpuCount;
            hosted[HostOf[j]].Add(j);
        }

        Hosted = hosted.Select(h => h.ToArray()).ToArray();
        L1Table = new ulong[n];
        Shadow = new ulong[n];
        Logical = new uint[1024];
        Info = new VcpuInfo[n];
        for (int j = 0; j < n; j++)
        {
            Info[j] = VcpuInfo.ForGuest(j, l1.Index, j, n, -1);
            L1Table[j] = PhysicalApicIdEntry.Create(L1BackingPageBase + ((ulong)j << 12)).WithHostPhysicalApicId(HostOf[j]).Value;
            Shadow[j] = PhysicalApicIdEntry.Create(ShadowBackingPageBase + ((ulong)(l1.Index * 256 + j) << 12)).Value;
            int li = LogicalApicIdEntry.TableIndex(Info[j].LogicalId, Info[j].FlatLogicalMode);
            if (li >= 0)
            {
                Logical[li] = LogicalApicIdEntry.Create(j).Value;
            }
        }

        ShadowLoaded = new bool[l1.VcpuCount];
        Current = new int[l1.VcpuCount];
        Array.Fill(Current, -1);
        Irr = new InterruptRequestRegister[n];
        Halted = new bool[n];
        Remaining = new long[n];
        Spinning = new bool[n];
        ResumeRequested = new bool[n];
        Timers = new int[n];
        PendingIpis = new long[n];
        Received = new long[n];
        Sent = new long[n];
        Workload = null!;
    }

    public VmInfo L1 { get; }

    public NestedOptions Options { get; }

    /// <summary>The L1 guest's own program, which the L1 vCPUs run between L2 slices.</summary>
    public IWorkload L1Program { get; }

    /// <summary>The doorbell target id of L2 vCPU 0.</summary>
    public int FirstTarget { get; }

    /// <summary>This VM's counts of the L2 interrupt path.</summary>
    public NestedCounters Counters { get; } = new();

    /// <summary>The L2 guest's program (set right after construction: it needs this VM's context).</summary>
    public IWorkload Workload { get; set; }

    public int Count => Options.Vcpus;

    /// <summary>The L1 vCPU (index in the VM) that runs each L2 vCPU.</summary>
    public int[] HostOf { get; }

    /// <summary>The L2 vCPUs each L1 vCPU runs.</summary>
    public int[][] Hosted { get; }

    public VcpuInfo[] Info { get; }

    public ulong[] L1Table { get; }

    public ulong[] Shadow { get; }

    public uint[] Logical { get; }

    /// <summary>Per L1 vCPU: nested-loaded (set by the nested load, cleared by the nested put).</summary>
    public bool[] ShadowLoaded { get; }

    /// <summary>Per L1 vCPU: the L2 vCPU it runs now, or -1 while it runs L1 code.</summary>
    public int[] Current { get; }

    public InterruptRequestRegister[] Irr { get; }

    public bool[] Halted { get; }

    /// <summary>What is left of each L2 vCPU's current compute burst.</summary>
    public long[] Remaining { get; }

    public bool[] Spinning { get; }

    public bool[] ResumeRequested { get; }

    /// <summary>IPI messages set in each L2 vCPU's IRR and not yet taken (coalesced ones included).</summary>
    public long[] PendingIpis { get; }

    /// <summary>IPI messages each L2 vCPU has taken.</summary>
    public long[] Received { get; }

    /// <summary>ICR writes of each L2 vCPU (self IPIs included).</summary>
    public long[] Sent { get; }

    /// <summary>Each L2 vCPU's halt timer (L1's emulated LAPIC timer).</summary>
    public int[] Timers { get; }

    /// <summary>L1 writes its table entry's IsRunning (as KVM in L1 does on its load / put / blocking of the L2 vCPU).</summary>
    public void L1SetRunning(int j, bool running)
    {
        L1Table[j] = new PhysicalApicIdEntry(L1Table[j]).WithIsRunning(running).Value;
        SyncShadow(j);
    }

    /// <summary>L0's write tracking: the shadow's IsRunning is L1's AND the L1 vCPU being nested-loaded.</summary>
    public void SyncShadow(int j)
    {
        bool running = new PhysicalApicIdEntry(L1Table[j]).IsRunning && ShadowLoaded[HostOf[j]];
        Shadow[j] = new PhysicalApicIdEntry(Shadow[j]).WithIsRunning(running).Value;
    }

    /// <summary>__nested_avic_load: the L1 vCPU is on <paramref name="apicId"/>'s pCPU; its L2 vCPUs' shadow entries point there.</summary>
    public void NestedLoad(int h, int apicId)
    {
        ShadowLoaded[h] = true;
        foreach (int j in Hosted[h])
        {
            Shadow[j] = new PhysicalApicIdEntry(Shadow[j]).WithHostPhysicalApicId(apicId).Value;
            SyncShadow(j);
        }
    }

    /// <summary>__nested_avic_put: the L1 vCPU left its pCPU; its L2 vCPUs' shadow entries stop saying running.</summary>
    public void NestedPut(int h)
    {
        ShadowLoaded[h] = false;
        foreach (int j in Hosted[h])
        {
            SyncShadow(j);
        }
    }

    public bool HasRunnable(int h)
    {
        foreach (int j in Hosted[h])
        {
            if (!Halted[j])
            {
                return true;
            }
        }

        return false;
    }
}
