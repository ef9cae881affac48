using System.Runtime.CompilerServices;
using Emu.Core.Model;

namespace Emu.Core.Machine;

/// <summary>
/// Detects lost wake-ups (always on; RunMonitor asks it after every event). A blocked vCPU that got an IRR bit
/// (<see cref="NoteBlockedWithIrr"/>) is checked after the event: dropped if it is awake or being woken, kept
/// awaiting if a peer's ICR-write exit whose KVM handler has not run yet names it (that handler will wake it), else
/// reported. Awaiting vCPUs are asked again after an event in which a handler ran or a watched vCPU was noted again,
/// since nothing else can end that wait; rescanning them after every event made the 4,096-vCPU strict run spend 79 %
/// of its time here (issue 19).
/// </summary>
/// <remarks>
/// Asking again, only the awaiting vCPUs that the ICR of a handled exit named (a handler drops a sender; senders
/// otherwise only add names) or that were stirred (<see cref="Stir"/>: a wake-up or a GA-log entry on its way, or
/// leaving Blocked) are looked at; the others would be kept again, since nothing their answer depends on moved (their
/// IRR cannot empty nor can they start to wait for SIPI while blocked: both happen at VMRUN or HLT, and a peer's exit
/// that did not name them never kept them). They are looked at in the order they were kept, across VMs, so that
/// reports come in the order of asking every awaiting vCPU in turn (<see cref="AskEveryTime"/>, which
/// LostWakeupWatchTests runs in lockstep with this).
/// </remarks>
internal sealed class LostWakeupWatch
{
    private readonly MachineState _m;

    // Noted this event, to check after it.
    private readonly int[] _fresh;
    private int _freshCount;

    // Where each vCPU is in the watch: nowhere, fresh or awaiting.
    private readonly Watch[] _watch;

    // Awaiting, per VM, each in the order it was kept (_keptOrder: one count across VMs).
    private readonly int[][] _awaiting;
    private readonly int[] _awaitingCount;
    private readonly long[] _keptOrder;
    private int _awaitingTotal;
    private long _nextOrder;

    // Awaiting vCPUs to ask again (stirred, or named by a handled exit); then put in kept order to be asked.
    private readonly bool[] _dirty;
    private readonly int[] _dirtyIds;
    private int _dirtyCount;

    // VMs whose awaiting lists lost a vCPU in this check, to compact.
    private readonly bool[] _vmShrunk;
    private readonly int[] _shrunkVms;

    private long _changes;
    private long _checkedAt;

    // Per VM, the vCPUs whose ICR-write exit awaits KVM's handler (at most one each), so the watch asks only those;
    // with what a match needs of each, so that asking does not read every sender's state again.
    private readonly PendingSender[][] _pendingSenders;
    private readonly int[] _pendingSenderCount;
    private readonly int[] _pendingSlot;

    public LostWakeupWatch(MachineState m)
    {
        _m = m;
        int vcpus = m.Vcpus.Length;
        int vms = m.Vms.Length;
        _fresh = new int[vcpus];
        _watch = new Watch[vcpus];
        _keptOrder = new long[vcpus];
        _dirty = new bool[vcpus];
        _dirtyIds = new int[vcpus];
        _pendingSlot = new int[vcpus];
        _awaiting = new int[vms][];
        _awaitingCount = new int[vms];
        _vmShrunk = new bool[vms];
        _shrunkVms = new int[vms];
        _pendingSenders = new PendingSender[vms][];
        _pendingSenderCount = new int[vms];
        for (int i = 0; i < vms; i++)
        {
            _awaiting[i] = new int[m.Vms[i].VcpuCount];
            _pendingSenders[i] = new PendingSender[m.Vms[i].VcpuCount];
        }
    }

    /// <summary>Asks every awaiting vCPU again after a change, in turn: the rule without its shortcuts, for tests.</summary>
    internal bool AskEveryTime { get; set; }

    /// <summary>Awaiting vCPUs kept again without being asked, for tests that make sure the shortcut is taken.</summary>
    internal long KeptUnasked { get; private set; }

    /// <summary>Something to do after this event.</summary>
    public bool Due
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _freshCount > 0 || (_awaitingTotal > 0 && _changes != _checkedAt);
    }

    /// <summary>
    /// The vCPU's ICR write exited; KVM's handler runs later (<see cref="IcrExitHandled"/>). Its pending exit is set
    /// and stays until then (IcrWritePath).
    /// </summary>
    public void IcrExitBegan(VcpuRuntime sender)
    {
        int vm = sender.Info.Vm;
        _pendingSlot[sender.Info.Id] = _pendingSenderCount[vm];
        _pendingSenders[vm][_pendingSenderCount[vm]++] = new PendingSender(sender.Info.Id, sender.Info.ApicId, new Icr(sender.PendingIcrExit.ExitInfo1));
    }

    public void IcrExitHandled(VcpuRuntime sender)
    {
        int vm = sender.Info.Vm;
        int slot = _pendingSlot[sender.Info.Id];
        var handled = _pendingSenders[vm][slot];
        var last = _pendingSenders[vm][--_pendingSenderCount[vm]];
        _pendingSenders[vm][slot] = last;
        _pendingSlot[last.Id] = slot;

        // Only the awaiting vCPUs its ICR named can have lost what kept them; the handler may have woken them, or not.
        int[] awaiting = _awaiting[vm];
        for (int i = 0; i < _awaitingCount[vm]; i++)
        {
            int id = awaiting[i];
            if (ApicDestination.Matches(in _m.Vcpus[id].Info, handled.Icr, handled.ApicId))
            {
                MarkDirty(id);
            }
        }

        _changes++;
    }

    /// <summary>Something that can end the vCPU's wait happened (see the remarks).</summary>
    public void Stir(VcpuRuntime v)
    {
        if (_watch[v.Info.Id] == Watch.Awaiting)
        {
            MarkDirty(v.Info.Id);
        }
    }

    /// <summary>An IRR bit was set on a blocked vCPU: after this event it must have a wake-up on its way.</summary>
    public void NoteBlockedWithIrr(VcpuRuntime v)
    {
        int id = v.Info.Id;
        if (_watch[id] == Watch.None)
        {
            _watch[id] = Watch.Fresh;
            _fresh[_freshCount++] = id;
        }
        else
        {
            _changes++; // awaiting already (it may have woken and blocked again since): look at it after this event
        }
    }

    /// <summary>After an event (when <see cref="Due"/>): the awaiting first (they were noted earlier), then the fresh.</summary>
    public void Check()
    {
        if (_changes != _checkedAt)
        {
            _checkedAt = _changes; // caught up even when nothing awaits (a check for fresh vCPUs alone), as the rule says
            AskAwaitingAgain();
        }

        for (int i = 0; i < _freshCount; i++)
        {
            int id = _fresh[i];
            if (Ask(id))
            {
                int vm = _m.Vcpus[id].Info.Vm;
                _awaiting[vm][_awaitingCount[vm]++] = id;
                _watch[id] = Watch.Awaiting;
                _keptOrder[id] = _nextOrder++;
                _awaitingTotal++;
            }
        }

        _freshCount = 0;
    }

    /// <summary>The vCPUs awaiting an exit handler, in the order they were kept: for tests that compare the two ways.</summary>
    internal int[] AwaitingInOrder()
    {
        var all = new List<int>();
        for (int vm = 0; vm < _awaiting.Length; vm++)
        {
            all.AddRange(_awaiting[vm].AsSpan(0, _awaitingCount[vm]));
        }

        all.Sort((a, b) => _keptOrder[a].CompareTo(_keptOrder[b]));
        return all.ToArray();
    }

    private void MarkDirty(int id)
    {
        if (!_dirty[id])
        {
            _dirty[id] = true;
            _dirtyIds[_dirtyCount++] = id;
        }
    }

    private void AskAwaitingAgain()
    {
        if (AskEveryTime)
        {
            for (int vm = 0; vm < _awaiting.Length; vm++)
            {
                for (int i = 0; i < _awaitingCount[vm]; i++)
                {
                    MarkDirty(_awaiting[vm][i]);
                }
            }
        }

        // The dirty vCPUs in kept order (a few: insertion sort).
        int asked = _dirtyCount;
        int[] ids = _dirtyIds;
        for (int k = 1; k < asked; k++)
        {
            int id = ids[k];
            int j = k;
            while (j > 0 && _keptOrder[ids[j - 1]] > _keptOrder[id])
            {
                ids[j] = ids[j - 1];
                j--;
            }

            ids[j] = id;
        }

        KeptUnasked += _awaitingTotal - asked;
        int shrunk = 0;
        for (int i = 0; i < asked; i++)
        {
            int id = ids[i];
            _dirty[id] = false;
            if (!Ask(id))
            {
                _awaitingTotal--; // dropped or reported
                int vm = _m.Vcpus[id].Info.Vm;
                if (!_vmShrunk[vm])
                {
                    _vmShrunk[vm] = true;
                    _shrunkVms[shrunk++] = vm;
                }
            }
        }

        _dirtyCount = 0;

        // The lists of the VMs that lost vCPUs, without them.
        for (int d = 0; d < shrunk; d++)
        {
            int vm = _shrunkVms[d];
            int[] list = _awaiting[vm];
            int kept = 0;
            for (int i = 0; i < _awaitingCount[vm]; i++)
            {
                if (_watch[list[i]] == Watch.Awaiting)
                {
                    list[kept++] = list[i];
                }
            }

            _awaitingCount[vm] = kept;
            _vmShrunk[vm] = false;
        }
    }

    /// <summary>
    /// Drops the vCPU from the watch if it is awake or being woken (false), keeps it if a handler may still wake it
    /// (true), else reports it (false).
    /// </summary>
    private bool Ask(int id)
    {
        var v = _m.Vcpus[id];
        if (v.State != VcpuState.Blocked || v.WakePending || v.Irr.IsEmpty || v.WaitForSipi || v.GaLogWakeups > 0)
        {
            _watch[id] = Watch.None;
            return false;
        }

        if (AwaitsExitHandler(v))
        {
            return true; // its sender's exit handler, still to run, will wake it
        }

        _watch[id] = Watch.None;
        _m.Monitor.ReportLostWakeup(id, $"IRR vector 0x{v.Irr.Highest():X2} set while blocked and nothing woke it");
        return false;
    }

    /// <summary>Does a peer's ICR-write exit, whose KVM handler has not run yet, name this vCPU?</summary>
    private bool AwaitsExitHandler(VcpuRuntime v)
    {
        int vm = v.Info.Vm;
        var senders = _pendingSenders[vm];
        for (int i = 0; i < _pendingSenderCount[vm]; i++)
        {
            if (ApicDestination.Matches(in v.Info, senders[i].Icr, senders[i].ApicId))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A vCPU whose ICR-write exit awaits KVM's handler: its id, its APIC ID and the ICR it wrote.</summary>
    private readonly record struct PendingSender(int Id, int ApicId, Icr Icr);

    private enum Watch : byte
    {
        None,

        /// <summary>Noted this event, to be asked after it.</summary>
        Fresh,

        /// <summary>Kept: a peer's ICR-write exit still to be handled names it.</summary>
        Awaiting,
    }
}
