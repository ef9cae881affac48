using Emu.Core.Configuration;
using Emu.Core.Contracts;
using Microsoft.Extensions.Configuration;

namespace Emu.Plugins.Schedulers;

/// <summary>
/// A baseline with no placement intelligence: a waking task joins the queue of a random pCPU it may use
/// (from the policy's seeded stream), or, with Scheduler:Random:PreferIdle, a free one when there is one.
/// Work-conserving through kicks and stealing like the others, so only placement differs.
/// </summary>
internal sealed class RandomScheduler : FifoRunQueueScheduler
{
    private readonly bool _preferIdle;

    public RandomScheduler(RandomSettings settings)
    {
        _preferIdle = settings.PreferIdle;
    }

    public override string Name => "Random";

    public override int SelectCpu(int task, int prevCpu)
    {
        int start = RandomAllowed(task);
        if (_preferIdle)
        {
            int idle = IdleAllowed(task, start);
            if (idle >= 0)
            {
                return idle;
            }
        }

        return start;
    }
}

/// <summary>Random's options (Scheduler:Random:*), read once.</summary>
internal sealed record RandomSettings(bool PreferIdle) : ISchedulerSettings
{
    public IScheduler Create() => new RandomScheduler(this);

    public static RandomSettings Read(IConfigurationSection section, List<string> errors)
    {
        var keys = new SectionKeys(section);
        bool preferIdle = keys.Bool("PreferIdle", false);
        keys.RejectUnknown();
        errors.AddRange(keys.Errors);
        return new RandomSettings(preferIdle);
    }
}

internal sealed class RandomSchedulerFactory : ISchedulerFactory
{
    public string Name => "Random";

    public bool WorkConserving => true;

    public ISchedulerSettings? Bind(IConfigurationSection section, ICollection<string> errors) =>
        PolicyOptions.Bind(section, errors, RandomSettings.Read);
}
