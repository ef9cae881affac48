using Emu.Core.Contracts;
using Emu.Core.Model;

namespace Emu.Core.Workloads;

/// <summary>
/// The doorbell-spam attack of the non-strict doorbell patch's warning (nested AVIC RFC cover letter): a
/// compromised vCPU 0 writes the ICR in a loop, <c>GapNs</c> of guest code between writes, at vCPU
/// <c>Target</c>, which is runnable but shares its pCPU with someone else (so it is often scheduled out, not
/// halted). Every other vCPU computes in long bursts and never halts. With <c>Flood</c> = false vCPU 0 only
/// computes: the baseline a victim's slowdown is measured against.
/// Keys: GapNs, Target, Flood, ComputeNs.
/// </summary>
internal sealed class IcrFloodWorkload : IWorkload
{
    public const byte FloodVector = 0xF2;

    private readonly IWorkloadContext _ctx;
    private readonly long _gapNs;
    private readonly int _target;
    private readonly bool _flood;
    private readonly long _computeNs;
    private bool _wrote;

    public IcrFloodWorkload(IWorkloadContext ctx, long gapNs, int target, bool flood, long computeNs)
    {
        _ctx = ctx;
        _gapNs = gapNs;
        _target = target;
        _flood = flood;
        _computeNs = computeNs;
    }

    public GuestAction Next(int vcpu)
    {
        if (vcpu != 0 || !_flood)
        {
            return GuestAction.Compute(_computeNs);
        }

        _wrote = !_wrote;
        return _wrote ? GuestAction.SendIpi(Icr.Fixed(FloodVector, (byte)_ctx.Vcpu(_target).ApicId)) : GuestAction.Compute(_gapNs);
    }

    public void OnInterrupt(int vcpu, byte vector)
    {
    }
}

/// <summary>
/// KVM's selftest x86/xapic_ipi_test: vCPU 0 loops halting (no timer: only an IPI wakes it); vCPU 1 sends it an
/// IPI (fixed, physical, vector 0xA5), then spins until the halter has taken it, and sends the next. A lost
/// wake-up leaves the halter asleep and the sender spinning, which the lost-wake-up check reports.
/// Keys: SenderComputeNs (sender's work between IPIs), Rounds (0 = no limit).
/// </summary>
internal sealed class XapicIpiTestWorkload : IWorkload
{
    public const byte TestVector = 0xA5;

    private readonly IWorkloadContext _ctx;
    private readonly long _senderComputeNs;
    private readonly long _rounds;
    private bool _computed;
    private bool _waiting;

    public XapicIpiTestWorkload(IWorkloadContext ctx, long senderComputeNs, long rounds)
    {
        _ctx = ctx;
        _senderComputeNs = senderComputeNs;
        _rounds = rounds;
    }

    /// <summary>IPIs the halter took (its wake_count in the selftest).</summary>
    public long Received { get; private set; }

    public long Sent { get; private set; }

    public GuestAction Next(int vcpu)
    {
        if (vcpu == 0)
        {
            return GuestAction.Halt(0);
        }

        if (vcpu != 1 || (_rounds > 0 && Sent >= _rounds))
        {
            return GuestAction.Halt(0);
        }

        if (_waiting)
        {
            return GuestAction.SpinWait;
        }

        if (!_computed)
        {
            _computed = true;
            return GuestAction.Compute(_senderComputeNs);
        }

        _computed = false;
        _waiting = true;
        Sent++;
        return GuestAction.SendIpi(Icr.Fixed(TestVector, (byte)_ctx.Vcpu(0).ApicId));
    }

    public void OnInterrupt(int vcpu, byte vector)
    {
        if (vcpu == 0 && vector == TestVector)
        {
            Received++;
            _waiting = false;
            _ctx.Resume(1);
        }
    }
}
