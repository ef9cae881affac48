namespace Emu.Host.Traces;

/// <summary>
/// The recording's host tasks mapped onto Emu's model, which has per-pCPU tasks with exponential run and sleep phases
/// of given means (HostTasks:PerCpu, RunUs, SleepUs): the recorded mean run phase and mean sleep phase, and as many
/// tasks per pCPU as the recording had tasks per pCPU (rounded up). Emu cannot replay each task's own timeline.
/// </summary>
internal sealed record HostTaskModel(int PerCpu, long RunUs, long SleepUs, double RecordedShare)
{
    /// <summary>HostTasksOptions' ranges.</summary>
    private const int MaxPerCpu = 64;
    private const long MaxUs = 1_000_000_000;

    /// <summary>The share of each pCPU the model's tasks would take if nothing else ran: PerCpu x run / (run + sleep).</summary>
    public double ModelShare => Math.Min(1, PerCpu * (double)RunUs / (RunUs + SleepUs));

    /// <summary>The model of <paramref name="s"/>, or null when no host task ran.</summary>
    public static HostTaskModel? From(HostTaskSummary s, long durationNs, int pcpus)
    {
        if (s.Tasks == 0 || s.OnCpuNs == 0 || durationNs <= 0)
        {
            return null;
        }

        int perCpu = (int)Math.Clamp((s.Tasks + pcpus - 1) / pcpus, 1, MaxPerCpu);
        double share = s.OnCpuNs / ((double)durationNs * pcpus);

        // A task that never slept in the recording ran one long phase: its time on the CPU.
        double runNs = s.RunPhases > 0 ? (double)s.RunPhaseNs / s.RunPhases : (double)s.OnCpuNs / s.Tasks;
        long runUs = (long)Math.Clamp(Math.Round(runNs / 1000), 1, MaxUs);
        long sleepUs;
        if (s.SleepPhases > 0)
        {
            sleepUs = (long)Math.Round((double)s.SleepNs / s.SleepPhases / 1000);
        }
        else
        {
            // No sleep ended in the recording: the sleep that gives the recorded share of each pCPU.
            double duty = Math.Min(1, share / perCpu);
            sleepUs = duty >= 1 ? 0 : (long)Math.Round(runUs * ((1 / duty) - 1));
        }

        return new HostTaskModel(perCpu, runUs, Math.Clamp(sleepUs, 0, MaxUs), share);
    }
}
