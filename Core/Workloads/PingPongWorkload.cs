using Emu.Core.Contracts;
using Emu.Core.Model;

namespace Emu.Core.Workloads;

/// <summary>
/// Pairs of vCPUs (0,1), (2,3), ... bounce a ball by IPI: the holder computes for <c>ComputeNs</c>, sends it to
/// its partner and waits (halting or spinning) until it comes back. An odd last vCPU only computes.
/// Keys: ComputeNs, Wait (Halt | Spin), Rounds (sends per vCPU; 0 = no limit), HaltTimeoutNs.
/// </summary>
internal sealed class PingPongWorkload : IWorkload
{
    public const byte BallVector = 0xFB;

    private readonly IWorkloadContext _ctx;
    private readonly long _computeNs;
    private readonly WaitMode _wait;
    private readonly long _rounds;
    private readonly long _haltTimeoutNs;
    private readonly bool[] _hasBall;
    private readonly bool[] _computed;
    private readonly long[] _sent;

    public PingPongWorkload(IWorkloadContext ctx, long computeNs, WaitMode wait, long rounds, long haltTimeoutNs)
    {
        _ctx = ctx;
        _computeNs = computeNs;
        _wait = wait;
        _rounds = rounds;
        _haltTimeoutNs = haltTimeoutNs;
        int n = ctx.Vm.VcpuCount;
        _hasBall = new bool[n];
        _computed = new bool[n];
        _sent = new long[n];
        for (int i = 0; i + 1 < n; i += 2)
        {
            _hasBall[i] = true;
        }
    }

    public GuestAction Next(int vcpu)
    {
        int partner = vcpu ^ 1;
        if (partner >= _ctx.Vm.VcpuCount)
        {
            return GuestAction.Compute(_computeNs);
        }

        if (_hasBall[vcpu] && (_rounds == 0 || _sent[vcpu] < _rounds))
        {
            if (!_computed[vcpu])
            {
                _computed[vcpu] = true;
                return GuestAction.Compute(_computeNs);
            }

            _computed[vcpu] = false;
            _hasBall[vcpu] = false;
            _sent[vcpu]++;
            return GuestAction.SendIpi(Icr.Fixed(BallVector, (byte)_ctx.Vcpu(partner).ApicId));
        }

        if (_hasBall[vcpu])
        {
            return GuestAction.Halt(0); // the rounds are done: the guest idles
        }

        return _wait == WaitMode.Spin ? GuestAction.SpinWait : GuestAction.Halt(_haltTimeoutNs);
    }

    public void OnInterrupt(int vcpu, byte vector)
    {
        if (vector != BallVector)
        {
            return;
        }

        _hasBall[vcpu] = true;
        if (_wait == WaitMode.Spin)
        {
            _ctx.Resume(vcpu);
        }
    }

    /// <summary>Sends completed by the vCPU (for tests and scenario checks).</summary>
    public long SentBy(int vcpu) => _sent[vcpu];
}
