using Emu.Core.Contracts;
using Emu.Core.Model;
using Emu.Core.Randomness;

namespace Emu.Core.Workloads;

/// <summary>
/// After every compute burst a vCPU picks one action by weight: a unicast IPI to a random peer, a multicast
/// (logical destination), a broadcast (all-but-self), a halt, a userspace exit, an MMIO exit. Each vCPU
/// draws from its own stream, so its sequence of actions does not depend on timing.
/// </summary>
internal sealed class MixedWorkload : IWorkload
{
    /// <summary>Linux's CALL_FUNCTION_SINGLE_VECTOR and CALL_FUNCTION_VECTOR.</summary>
    public const byte UnicastVector = 0xFB;
    public const byte MulticastVector = 0xFC;

    private readonly IWorkloadContext _ctx;
    private readonly MixedSettings _s;
    private readonly double _total;
    private readonly int _vcpuCount;

    // Per vCPU, in arrays of their own: a guest action reads one element of each, and dense arrays keep the 4,096
    // vCPUs' entries in few lines (one struct per vCPU was 24 bytes each, and 4,096 of them missed the 2 MB cache more).
    private readonly RandomStream[] _streams; // each vCPU's own (a decorator may draw from it too)
    private readonly bool[] _computed; // the last action was a compute burst: an action by weight comes next
    private readonly long[] _ipisSent;

    public MixedWorkload(IWorkloadContext ctx, MixedSettings settings)
    {
        _ctx = ctx;
        _vcpuCount = ctx.Vm.VcpuCount;
        _streams = new RandomStream[_vcpuCount];
        _computed = new bool[_vcpuCount];
        _ipisSent = new long[_vcpuCount];
        for (int i = 0; i < _vcpuCount; i++)
        {
            _streams[i] = ctx.Random(i);
        }

        _s = settings;
        _total = settings.Ipi + settings.Multicast + settings.Broadcast + settings.Halt + settings.UserspaceExit + settings.Mmio;
    }

    public GuestAction Next(int vcpu)
    {
        var rng = _streams[vcpu];
        if (!_computed[vcpu] || _total <= 0)
        {
            _computed[vcpu] = true;
            return GuestAction.Compute(rng.Exponential(_s.ComputeNs));
        }

        _computed[vcpu] = false;
        double r = rng.NextDouble() * _total;
        int peers = _vcpuCount - 1;
        bool mayIpi = peers > 0 && (_s.IpiLimit == 0 || _ipisSent[vcpu] < _s.IpiLimit);
        if ((r -= _s.Ipi) < 0)
        {
            if (peers == 0)
            {
                return Idle(); // a 1-vCPU VM has nobody to send to
            }

            int peer = rng.NextInt(peers);
            if (peer >= vcpu)
            {
                peer++;
            }

            return mayIpi ? Send(vcpu, Icr.Fixed(UnicastVector, (byte)_ctx.Vcpu(peer).ApicId)) : Idle();
        }

        if ((r -= _s.Multicast) < 0)
        {
            return mayIpi ? Send(vcpu, MulticastIcr(vcpu, rng)) : Idle();
        }

        if ((r -= _s.Broadcast) < 0)
        {
            return mayIpi ? Send(vcpu, Icr.WithShorthand(MulticastVector, DestinationShorthand.AllExcludingSelf)) : Idle();
        }

        if ((r -= _s.Halt) < 0)
        {
            return GuestAction.Halt(rng.Exponential(_s.HaltTimeoutNs));
        }

        if ((r -= _s.UserspaceExit) < 0)
        {
            return GuestAction.Userspace(rng.Exponential(_s.UserspaceNs));
        }

        return GuestAction.Mmio(rng.Exponential(_s.MmioNs));
    }

    public void OnInterrupt(int vcpu, byte vector)
    {
        // Mixed does not react: the interrupt handler's work is part of the compute bursts.
    }

    private GuestAction Send(int vcpu, Icr icr)
    {
        _ipisSent[vcpu]++;
        return GuestAction.SendIpi(icr);
    }

    /// <summary>Keeps the action sequence (and so the random draws) independent of the IPI limit.</summary>
    private static GuestAction Idle() => GuestAction.Compute(0);

    /// <summary>A logical destination naming a random non-empty set of peers in the sender's flat group or cluster.</summary>
    private Icr MulticastIcr(int vcpu, RandomStream rng)
    {
        var self = _ctx.Vcpu(vcpu);
        int n = _vcpuCount;
        if (self.FlatLogicalMode)
        {
            uint mask = (uint)rng.NextInt(1 << n) | (1u << ((vcpu + 1) % n));
            mask &= ~(1u << vcpu);
            return Icr.Fixed(MulticastVector, (byte)mask, logical: true);
        }

        if (!self.LogicallyAddressable)
        {
            // Beyond the 15 clusters a guest addresses CPUs physically: one unicast to the next vCPU.
            return Icr.Fixed(MulticastVector, (byte)_ctx.Vcpu((vcpu + 1) % n).ApicId);
        }

        int cluster = vcpu / 4;
        int members = Math.Min(4, Math.Min(n, VcpuInfo.MaxClusterAddressable) - (cluster * 4));
        uint bits = (uint)rng.NextInt(1 << members);
        bits &= ~(1u << (vcpu % 4));
        if (bits == 0)
        {
            int other = (vcpu + 1) % n; // a singleton cluster: send to the next vCPU's cluster instead
            var o = _ctx.Vcpu(other);
            return o.LogicallyAddressable ? Icr.Fixed(MulticastVector, (byte)o.LogicalId, logical: true) : Icr.Fixed(MulticastVector, (byte)o.ApicId);
        }

        return Icr.Fixed(MulticastVector, (byte)((cluster << 4) | (int)bits), logical: true);
    }
}
