using Emu.Core.Contracts;

namespace Emu.Plugins.NestedSvm;

/// <summary>
/// What an L1 vCPU of a VM with a nested guest runs: its own L1 program and, for L2Share of each PeriodUs of
/// guest time, the L2 vCPUs it hosts, round robin. While it runs an L2 vCPU, the L2 workload's actions are
/// that vCPU's: compute is guest time on the pCPU, an ICR write goes through the L2 interrupt path, and HLT,
/// I/O and MMIO exit to L0 and are reflected to L1 (a NestedExit action: Core counts and charges the exit).
/// An L1 vCPU with a runnable L2 vCPU does not halt; one with none runs its L1 program alone.
/// </summary>
internal sealed class L1HypervisorProgram : IWorkload
{
    /// <summary>How often a spinning L2 vCPU checks whether it was resumed.</summary>
    private const long SpinPollNs = 1_000;

    /// <summary>
    /// Upstream (no nested AVIC): the longest stretch of L2 time between checks for a pending L1 interrupt. KVM's kick
    /// makes the vCPU exit from L2 at once (Core charges that exit); the model leaves L2 at the next check.
    /// </summary>
    private const long L1EventCheckNs = 5_000;

    private readonly NestedVm _n;
    private readonly L2InterruptPath _path;
    private readonly NestedCosts _costs;
    private readonly IAvicInhibit? _inhibit;
    private readonly Emu.Core.Model.InterruptRequestRegister[] _deferred;
    private readonly bool[] _inL2;
    private readonly long[] _budget;
    private readonly long[] _l1Remaining;
    private readonly int[] _cursor;

    /// <param name="inhibit">Upstream KVM's per-vCPU AVIC inhibit while a vCPU runs L2; null with nested AVIC (the proposal).</param>
    public L1HypervisorProgram(NestedVm n, L2InterruptPath path, NestedCosts costs, IAvicInhibit? inhibit)
    {
        _n = n;
        _path = path;
        _costs = costs;
        _inhibit = inhibit;
        int l1 = n.L1.VcpuCount;
        _deferred = new Emu.Core.Model.InterruptRequestRegister[l1];
        _inL2 = new bool[l1];
        _budget = new long[l1];
        _l1Remaining = new long[l1];
        _cursor = new int[l1];
    }

    private long L2SliceNs => Math.Max(1, (long)(_n.Options.PeriodNs * _n.Options.L2Share));

    private long L1SliceNs => _n.Options.L2Share >= 1.0 ? _n.Options.PeriodNs : Math.Max(1, _n.Options.PeriodNs - L2SliceNs);

    public GuestAction Next(int h)
    {
        // Bounded: each pass either returns an action or changes phase; phases alternate at most twice per call.
        for (int pass = 0; pass < 64; pass++)
        {
            if (_inL2[h])
            {
                var a = NextInL2(h);
                if (a is { } action)
                {
                    return action;
                }
            }
            else
            {
                var a = NextInL1(h);
                if (a is { } action)
                {
                    return action;
                }
            }
        }

        return GuestAction.Compute(L1SliceNs);
    }

    public void OnInterrupt(int h, byte vector)
    {
        if (vector == L2InterruptPath.WakeVector)
        {
            return;
        }

        if (_inhibit is not null && _inL2[h])
        {
            _deferred[h].Set(vector); // upstream: L1's interrupt waits until the vCPU leaves L2
            return;
        }

        _n.L1Program.OnInterrupt(h, vector);
    }

    private GuestAction? NextInL1(int h)
    {
        if (_budget[h] <= 0)
        {
            if (_n.HasRunnable(h))
            {
                _inL2[h] = true;
                _budget[h] = L2SliceNs;
                _inhibit?.SetInhibited(_n.L1.VcpuId(h), true); // upstream: APICV_INHIBIT_REASON_NESTED while in L2
                return null;
            }

            _budget[h] = L1SliceNs;
        }

        if (_l1Remaining[h] > 0)
        {
            return L1Compute(h, _l1Remaining[h]);
        }

        var a = _n.L1Program.Next(h);
        switch (a.Kind)
        {
            case GuestActionKind.Compute:
                return L1Compute(h, a.DurationNs);
            case GuestActionKind.Halt when _n.HasRunnable(h):
                _budget[h] = 0; // L1 idles by running its L2 vCPUs instead
                return null;
            default:
                return a;
        }
    }

    private GuestAction L1Compute(int h, long ns)
    {
        long run = Math.Min(ns, _budget[h]);
        _l1Remaining[h] = ns - run;
        _budget[h] -= run;
        return GuestAction.Compute(Math.Max(run, 1));
    }

    private GuestAction? NextInL2(int h)
    {
        if (!_deferred[h].IsEmpty)
        {
            // Upstream: an L1 interrupt is pending; the kick took the vCPU out of L2 and L1 takes it now.
            StopL2(h);
            ToL1(h);
            int vector;
            while ((vector = _deferred[h].Highest()) >= 0)
            {
                _deferred[h].Clear((byte)vector);
                _n.L1Program.OnInterrupt(h, (byte)vector);
            }

            return null;
        }

        int k = _n.Current[h];
        if (_budget[h] <= 0 || (k >= 0 && _n.Halted[k]))
        {
            StopL2(h);
            k = -1;
            if (_budget[h] <= 0)
            {
                ToL1(h);
                return null;
            }
        }

        if (k < 0)
        {
            k = PickRunnable(h);
            if (k < 0)
            {
                ToL1(h);
                return null;
            }

            // L1 loads the L2 vCPU (its table says running) and VMRUNs it: pending interrupts are taken.
            _n.Current[h] = k;
            _n.L1SetRunning(k, true);
            _path.TakeInterrupts(_n, k);
        }

        if (_n.Spinning[k])
        {
            if (!_n.ResumeRequested[k])
            {
                return L2Compute(h, k, SpinPollNs); // still spin-waiting: poll again
            }

            _n.Spinning[k] = false;
            _n.ResumeRequested[k] = false;
        }

        if (_n.Remaining[k] > 0)
        {
            return L2Compute(h, k, _n.Remaining[k]);
        }

        var a = _n.Workload.Next(k);
        switch (a.Kind)
        {
            case GuestActionKind.Compute:
                return a.DurationNs > 0 ? L2Compute(h, k, a.DurationNs) : null;
            case GuestActionKind.SendIpi:
                long exit = _path.WriteIcr(_n, k, a.Icr);
                return exit > 0 ? GuestAction.NestedExit(exit) : null;
            case GuestActionKind.Halt:
                return Halt(h, k, a.DurationNs);
            case GuestActionKind.UserspaceExit:
            case GuestActionKind.MmioExit:
                // I/O of L2 is L1's to handle: the exit reaches L0 and is reflected.
                var c = _n.Counters;
                c.L2ExitsToL0++;
                c.L2ExitsReflectedToL1++;
                return GuestAction.NestedExit(_costs.NestedExitNs + _costs.NestedReflectNs + Math.Max(0, a.DurationNs));
            case GuestActionKind.SpinWait:
                if (_n.ResumeRequested[k])
                {
                    _n.ResumeRequested[k] = false;
                    _n.Spinning[k] = false;
                    return null;
                }

                _n.Spinning[k] = true;
                return L2Compute(h, k, SpinPollNs);
            default:
                return null;
        }
    }

    private GuestAction L2Compute(int h, int k, long ns)
    {
        long run = Math.Min(ns, _budget[h]);
        if (_inhibit is not null)
        {
            run = Math.Min(run, L1EventCheckNs);
        }

        _n.Remaining[k] = _n.Spinning[k] ? 0 : ns - run; // a spin poll is not resumed, it polls again
        _budget[h] -= run;
        return GuestAction.Compute(Math.Max(run, 1));
    }

    private GuestAction? Halt(int h, int k, long timeoutNs)
    {
        if (!_n.Irr[k].IsEmpty)
        {
            _path.TakeInterrupts(_n, k); // HLT with an interrupt pending returns at once
            return null;
        }

        // HLT of L2 is intercepted by L1 (kvm_vcpu_halt in L1): L1 blocks the L2 vCPU, clearing IsRunning.
        _n.Halted[k] = true;
        _path.ArmHaltTimer(_n, k, timeoutNs);
        StopL2(h);
        var c = _n.Counters;
        c.L2ExitsToL0++;
        c.L2ExitsReflectedToL1++;
        return GuestAction.NestedExit(_costs.NestedExitNs + _costs.NestedReflectNs);
    }

    /// <summary>L1 stops running its current L2 vCPU (L1's put or blocking of it): its entry stops saying running.</summary>
    private void StopL2(int h)
    {
        int k = _n.Current[h];
        if (k >= 0)
        {
            _n.Current[h] = -1;
            _n.L1SetRunning(k, false);
        }
    }

    private void ToL1(int h)
    {
        _inL2[h] = false;
        _inhibit?.SetInhibited(_n.L1.VcpuId(h), false);
        _budget[h] = L1SliceNs;
    }

    private int PickRunnable(int h)
    {
        var hosted = _n.Hosted[h];
        for (int i = 0; i < hosted.Length; i++)
        {
            int k = hosted[(_cursor[h] + i) % hosted.Length];
            if (!_n.Halted[k])
            {
                _cursor[h] = (_cursor[h] + i + 1) % hosted.Length;
                return k;
            }
        }

        return -1;
    }
}
