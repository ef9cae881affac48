namespace Emu.Core.Contracts;

/// <summary>
/// Lets a policy wake an idle pCPU so that it calls <see cref="IScheduler.Dispatch"/> (sched_ext's
/// scx_bpf_kick_cpu). Core's scheduler context implements it.
/// </summary>
public interface ISchedulerKick
{
    void KickCpu(int cpu);
}
