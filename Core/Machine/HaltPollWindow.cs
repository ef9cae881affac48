using Emu.Core.Configuration;

namespace Emu.Core.Machine;

/// <summary>
/// KVM's adaptive halt-polling window, per vCPU (kvm_vcpu_halt, grow_halt_poll_ns, shrink_halt_poll_ns in
/// virt/kvm/kvm_main.c): it starts at 0, so a vCPU's first halt never polls; after a halt that lasted longer than
/// the window but less than the maximum it grows (0 to grow_start, then times grow); after a halt longer than
/// the maximum it shrinks (divided by shrink, or reset by 0; below grow_start it is 0). Every wake-up is valid on
/// x86 (CONFIG_HAVE_KVM_INVALID_WAKEUPS is s390's), so the invalid-wake-up shrink never applies.
/// </summary>
internal sealed class HaltPollWindow
{
    private readonly long _max;
    private readonly int _grow;
    private readonly long _growStart;
    private readonly int _shrink;

    public HaltPollWindow(KvmOptions kvm)
    {
        _max = kvm.HaltPollNs;
        _grow = kvm.HaltPollNsGrow;
        _growStart = kvm.HaltPollNsGrowStart;
        _shrink = kvm.EffectiveHaltPollNsShrink;
    }

    /// <summary>The window a halt starts with (capped at the maximum, as kvm_vcpu_halt caps it first).</summary>
    public long Start(VcpuRuntime v)
    {
        if (v.HaltPollWindowNs > _max)
        {
            v.HaltPollWindowNs = _max;
        }

        return v.HaltPollWindowNs;
    }

    /// <summary>After a halt of <paramref name="haltNs"/> (polling included): grow, shrink or keep the window.</summary>
    public void Update(VcpuRuntime v, long haltNs)
    {
        long window = v.HaltPollWindowNs;
        if (_max == 0)
        {
            v.HaltPollWindowNs = 0;
        }
        else if (haltNs <= window)
        {
            // the wake-up came within the window: it is right
        }
        else if (window > 0 && haltNs > _max)
        {
            v.HaltPollWindowNs = Shrink(window); // a long block
        }
        else if (window < _max && haltNs < _max)
        {
            v.HaltPollWindowNs = Grow(window); // a short halt and a window too small to catch it
        }
    }

    private long Grow(long window)
    {
        if (_grow == 0)
        {
            return window;
        }

        long grown = window * _grow;
        return grown < _growStart ? _growStart : grown;
    }

    private long Shrink(long window)
    {
        long shrunk = _shrink == 0 ? 0 : window / _shrink;
        return shrunk < _growStart ? 0 : shrunk;
    }
}
