using Emu.Core.Contracts;
using Emu.Core.Model;

namespace Emu.Plugins.Svm;

/// <summary>
/// The AVIC state of one run: every VM's tables, KVM's per-vCPU shadow entries (svm->avic_physical_id_entry),
/// and what the hardware and KVM paths share. Built when the machine initializes the plugin.
/// </summary>
internal sealed class AvicContext
{
    /// <summary>Synthetic host physical address of vCPU 0's backing page; one 4 KiB page per vCPU after it.</summary>
    public const ulong BackingPageBase = 0x1_0000_0000UL;

    private readonly Func<INestedInterruptVirtualization?> _nested;

    /// <param name="nested">The nested layer, if a plugin provides one; asked for when the run is initialised (it is built on this plugin's services).</param>
    public AvicContext(SvmOptions options, SvmCosts costs, Emu.Core.Configuration.KvmOptions kvm, Func<INestedInterruptVirtualization?> nested)
    {
        Options = options;
        Costs = costs;
        Kvm = kvm;
        _nested = nested;
    }

    /// <summary>KVM's parameters and profile (Core's Kvm section).</summary>
    public Emu.Core.Configuration.KvmOptions Kvm { get; }

    public SvmOptions Options { get; }
    public SvmCosts Costs { get; }
    public INestedInterruptVirtualization? Nested { get; private set; }
    /// <summary>The run's machine and Core's roles for interrupt virtualization.</summary>
    public IVirtualizationContext Host { get; private set; } = null!;

    public IMachineView Machine => Host.Machine;

    public IInterruptTargets Targets => Host.Targets;
    public PhysicalApicIdTable[] Physical { get; private set; } = Array.Empty<PhysicalApicIdTable>();
    public LogicalApicIdTable[] Logical { get; private set; } = Array.Empty<LogicalApicIdTable>();

    /// <summary>KVM's shadow of each vCPU's entry: the real state even when the hardware entry hides IsRunning.</summary>
    public ulong[] Shadow { get; private set; } = Array.Empty<ulong>();

    /// <summary>Each vCPU's backing page, by global vCPU id.</summary>
    public BackingPage[] Pages { get; private set; } = Array.Empty<BackingPage>();

    /// <summary>When the hardware-visible IsRunning last went 1 to 0 (erratum #1235 window), per vCPU.</summary>
    public long[] IsRunningClearedAt { get; private set; } = Array.Empty<long>();

    /// <summary>vCPUs whose AVIC is inhibited (upstream's nested inhibit while they run L2).</summary>
    public bool[] Inhibited { get; private set; } = Array.Empty<bool>();

    /// <summary>The pCPU of each vCPU's last AVIC load (-1 before the first): what a non-strict entry may still name.</summary>
    public int[] LastLoadCpu { get; private set; } = Array.Empty<int>();

    /// <summary>pCPU id by host physical APIC ID (the doorbell names an APIC ID).</summary>
    public int[] PcpuByApicId { get; private set; } = Array.Empty<int>();

    /// <summary>The pCPU a doorbell to <paramref name="hostApicId"/> reaches, or -1 when no APIC has that ID.</summary>
    public int PcpuOfApic(int hostApicId) => (uint)hostApicId < (uint)PcpuByApicId.Length ? PcpuByApicId[hostApicId] : -1;

    /// <summary>
    /// Each VM's vCPU identities in index order, copied once (they are fixed for the run): KVM's scans over a
    /// VM's vCPUs read one array instead of asking the machine once per vCPU.
    /// </summary>
    public VcpuInfo[][] VmVcpus { get; private set; } = Array.Empty<VcpuInfo[]>();

    /// <summary>
    /// Per VM, the index of the vCPU with each xAPIC physical ID (256 of them): -1 when none has it, -2 when several
    /// do. A physical unicast ICR then finds its one target without scanning the VM (as KVM's
    /// avic_kick_target_vcpus_fast indexes the physical ID table).
    /// </summary>
    public int[][] VcpuIndexByApicId { get; private set; } = Array.Empty<int[]>();

    /// <summary>
    /// Per VM, for each logical destination but broadcast (0x00–0xFE), the indices of the vCPUs it names in index
    /// order (kvm_apic_match_dest on their fixed LDR and DFR): a logical ICR then visits its at most 8 targets, in the
    /// order a scan of the VM would, instead of the VM's every vCPU. VMs with the same logical layout share one table.
    /// </summary>
    public int[][][] VcpuIndicesByLogicalDestination { get; private set; } = Array.Empty<int[][]>();

    public long IommuAffinityUpdates;

    /// <summary>The IOMMU's guest-mode IRTEs, when Svm:IommuAvic is on.</summary>
    public AmdIommu? Iommu { get; set; }

    public void Initialize(IVirtualizationContext host)
    {
        Host = host;
        Nested = _nested();
        var machine = host.Machine;
        Physical = new PhysicalApicIdTable[machine.Vms.Count];
        Logical = new LogicalApicIdTable[machine.Vms.Count];
        Shadow = new ulong[machine.VcpuCount];
        Pages = new BackingPage[machine.VcpuCount];
        IsRunningClearedAt = new long[machine.VcpuCount];
        Inhibited = new bool[machine.VcpuCount];
        LastLoadCpu = new int[machine.VcpuCount];
        Array.Fill(LastLoadCpu, -1);
        Array.Fill(IsRunningClearedAt, long.MinValue / 2);
        VmVcpus = new VcpuInfo[machine.Vms.Count][];
        VcpuIndexByApicId = new int[machine.Vms.Count][];
        VcpuIndicesByLogicalDestination = new int[machine.Vms.Count][][];
        var logicalLayouts = new Dictionary<string, int[][]>(StringComparer.Ordinal);
        foreach (var vm in machine.Vms)
        {
            var byApicId = new int[256];
            Array.Fill(byApicId, -1);
            var physical = new PhysicalApicIdTable(vm.VcpuCount);
            var logical = new LogicalApicIdTable();
            var infos = new VcpuInfo[vm.VcpuCount];
            for (int i = 0; i < vm.VcpuCount; i++)
            {
                ref readonly VcpuInfo v = ref machine.Vcpu(vm.VcpuId(i));
                infos[i] = v;
                if ((uint)v.ApicId < (uint)byApicId.Length)
                {
                    byApicId[v.ApicId] = byApicId[v.ApicId] == -1 ? i : -2;
                }

                Pages[v.Id] = new BackingPage(BackingPageOf(v.Id));
                var entry = PhysicalApicIdEntry.Create(Pages[v.Id].Address);
                physical[v.ApicId] = entry;
                Shadow[v.Id] = entry.Value;
                int index = LogicalApicIdEntry.TableIndex(v.LogicalId, v.FlatLogicalMode);
                if (index >= 0)
                {
                    logical[index] = LogicalApicIdEntry.Create(v.ApicId);
                }
            }

            Physical[vm.Index] = physical;
            Logical[vm.Index] = logical;
            VmVcpus[vm.Index] = infos;
            VcpuIndexByApicId[vm.Index] = byApicId;
            VcpuIndicesByLogicalDestination[vm.Index] = LogicalDestinationIndex.Build(infos, logicalLayouts);
        }

        int maxApic = machine.Topology.Cpus.Max(c => c.ApicId);
        PcpuByApicId = new int[maxApic + 1];
        Array.Fill(PcpuByApicId, -1);
        foreach (var c in machine.Topology.Cpus)
        {
            PcpuByApicId[c.ApicId] = c.Id;
        }
    }

    public static ulong BackingPageOf(int vcpu) => BackingPageBase + ((ulong)vcpu << 12);

    /// <summary>The hardware-visible entry of a vCPU.</summary>
    public PhysicalApicIdEntry HardwareEntry(int vcpu)
    {
        ref readonly VcpuInfo v = ref Machine.Vcpu(vcpu);
        return Physical[v.Vm][v.ApicId];
    }

    /// <summary>
    /// Writes KVM's shadow entry and its hardware-visible copy (WRITE_ONCE(table[vcpu_id], e)): without
    /// enable_ipiv IsRunning is kept out of the hardware entry; GA_LOG_INTR never reaches it.
    /// </summary>
    public void WriteEntry(int vcpu, PhysicalApicIdEntry shadow)
    {
        ref readonly VcpuInfo v = ref Machine.Vcpu(vcpu);
        Shadow[vcpu] = shadow.Value;
        var hw = shadow.WithGaLogIntr(false);
        if (!Options.EnableIpiv)
        {
            hw = hw.WithIsRunning(false);
        }

        var table = Physical[v.Vm];
        var old = table[v.ApicId];
        if (old.Value == hw.Value)
        {
            return;
        }

        if (old.IsRunning && !hw.IsRunning)
        {
            IsRunningClearedAt[vcpu] = Machine.Now;
        }

        table[v.ApicId] = hw;
        if (old.IsRunning != hw.IsRunning)
        {
            Host.Monitor.TraceCounter("IsRunning", vcpu, hw.IsRunning ? 1 : 0);
        }
    }

    public string Describe(int vcpu)
    {
        ref readonly VcpuInfo v = ref Machine.Vcpu(vcpu);
        return $"vCPU {vcpu} (VM {v.Vm}, APIC ID {v.ApicId}) physical entry {HardwareEntry(vcpu)}, KVM shadow {new PhysicalApicIdEntry(Shadow[vcpu])}, state {Machine.StateOf(vcpu)}, loaded {Machine.IsLoaded(vcpu)}, last pCPU {Machine.CpuOf(vcpu)}";
    }
}
