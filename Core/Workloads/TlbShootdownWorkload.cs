using Emu.Core.Contracts;
using Emu.Core.Model;

namespace Emu.Core.Workloads;

/// <summary>
/// One sender (vCPU 0) flushes the TLBs of all others: it computes, sends a call-function IPI to every
/// receiver (one logical flat ICR for up to 8 vCPUs, one cluster ICR per cluster beyond, as Linux's xAPIC
/// code does), then spins until every receiver has acknowledged (a shared-memory write, no IPI).
/// Receivers alternate compute and, with probability <c>ReceiverHalt</c>, a halt.
/// Keys: ComputeNs, ReceiverComputeNs, ReceiverHalt, HaltTimeoutNs, Rounds (0 = no limit).
/// </summary>
internal sealed class TlbShootdownWorkload : IWorkload
{
    public const byte CallFunctionVector = 0xFC;

    private readonly IWorkloadContext _ctx;
    private readonly long _computeNs;
    private readonly long _receiverComputeNs;
    private readonly double _receiverHalt;
    private readonly long _haltTimeoutNs;
    private readonly long _rounds;
    private readonly bool[] _computed;
    private int _acks;
    private int _clusterToSend = -1;
    private int _physicalToSend = -1;
    private long _roundsDone;
    private bool _waiting;

    public TlbShootdownWorkload(IWorkloadContext ctx, long computeNs, long receiverComputeNs, double receiverHalt, long haltTimeoutNs, long rounds)
    {
        _ctx = ctx;
        _computeNs = computeNs;
        _receiverComputeNs = receiverComputeNs;
        _receiverHalt = receiverHalt;
        _haltTimeoutNs = haltTimeoutNs;
        _rounds = rounds;
        _computed = new bool[ctx.Vm.VcpuCount];
    }

    public long RoundsDone => _roundsDone;

    public GuestAction Next(int vcpu)
    {
        var rng = _ctx.Random(vcpu);
        int n = _ctx.Vm.VcpuCount;
        if (vcpu != 0)
        {
            if (!_computed[vcpu])
            {
                _computed[vcpu] = true;
                return GuestAction.Compute(rng.Exponential(_receiverComputeNs));
            }

            _computed[vcpu] = false;
            return rng.NextDouble() < _receiverHalt ? GuestAction.Halt(rng.Exponential(_haltTimeoutNs)) : GuestAction.Compute(rng.Exponential(_receiverComputeNs));
        }

        if (n == 1 || (_rounds > 0 && _roundsDone >= _rounds && !_waiting))
        {
            return GuestAction.Compute(_computeNs);
        }

        if (_clusterToSend >= 0)
        {
            return NextClusterIcr(n);
        }

        if (_waiting)
        {
            if (_acks < n - 1)
            {
                return GuestAction.SpinWait;
            }

            _waiting = false;
            _roundsDone++;
            _computed[0] = false;
            return Next(vcpu);
        }

        if (!_computed[0])
        {
            _computed[0] = true;
            return GuestAction.Compute(rng.Exponential(_computeNs));
        }

        _acks = 0;
        _waiting = true;
        if (_ctx.Vcpu(0).FlatLogicalMode)
        {
            uint mask = ((1u << n) - 1) & ~1u;
            return GuestAction.SendIpi(Icr.Fixed(CallFunctionVector, (byte)mask, logical: true));
        }

        _clusterToSend = 0;
        return NextClusterIcr(n);
    }

    private GuestAction NextClusterIcr(int n)
    {
        if (_clusterToSend * 4 >= VcpuInfo.MaxClusterAddressable)
        {
            return NextPhysicalIcr(n);
        }

        int cluster = _clusterToSend;
        int first = cluster * 4;
        uint bits = 0;
        for (int i = first; i < Math.Min(first + 4, Math.Min(n, VcpuInfo.MaxClusterAddressable)); i++)
        {
            if (i != 0)
            {
                bits |= 1u << (i - first);
            }
        }

        _clusterToSend = first + 4 < n ? cluster + 1 : -1;
        if (bits == 0)
        {
            return _clusterToSend >= 0 ? NextClusterIcr(n) : GuestAction.SpinWait;
        }

        return GuestAction.SendIpi(Icr.Fixed(CallFunctionVector, (byte)((cluster << 4) | (int)bits), logical: true));
    }

    /// <summary>Receivers no cluster can name (index 60 and up) get one physical ICR each, as physflat sends.</summary>
    private GuestAction NextPhysicalIcr(int n)
    {
        int target = _clusterToSend * 4 >= VcpuInfo.MaxClusterAddressable && _physicalToSend < 0 ? VcpuInfo.MaxClusterAddressable : _physicalToSend;
        _physicalToSend = target + 1 < n ? target + 1 : -1;
        _clusterToSend = _physicalToSend >= 0 ? _clusterToSend : -1;
        return GuestAction.SendIpi(Icr.Fixed(CallFunctionVector, (byte)_ctx.Vcpu(target).ApicId));
    }

    public void OnInterrupt(int vcpu, byte vector)
    {
        if (vector != CallFunctionVector || vcpu == 0)
        {
            return;
        }

        // The receiver flushes and acknowledges; the last acknowledgement releases the sender.
        if (++_acks == _ctx.Vm.VcpuCount - 1)
        {
            _ctx.Resume(0);
        }
    }
}
