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
    private bool _preferIdle;

    public override string Name => "Random";

    public override void Initialize(ISchedulerContext context)
    {
        base.Initialize(context);
        _preferIdle = RandomOptions.Read(context.PolicySection, out _);
    }

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

internal static class RandomOptions
{
    public static bool Read(IConfigurationSection section, out List<string> errors)
    {
        var keys = new SectionKeys(section);
        bool preferIdle = keys.Bool("PreferIdle", false);
        keys.RejectUnknown();
        errors = keys.Errors;
        return preferIdle;
    }
}

internal sealed class RandomSchedulerFactory : ISchedulerFactory
{
    public string Name => "Random";

    public bool WorkConserving => true;

    public IEnumerable<string> Validate(SchedulerValidationContext context) => Array.Empty<string>();

    public IEnumerable<string> ValidateOptions(IConfigurationSection section)
    {
        RandomOptions.Read(section, out var errors);
        return errors;
    }

    public IScheduler Create() => new RandomScheduler();
}
