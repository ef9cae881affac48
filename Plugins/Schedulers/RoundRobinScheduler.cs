using Emu.Core.Contracts;
using Microsoft.Extensions.Configuration;

namespace Emu.Plugins.Schedulers;

/// <summary>
/// Per-pCPU FIFO run queues with the fixed slice Scheduler:TimeSliceUs. A waking task goes to its previous
/// pCPU if that is free, else to a free pCPU it may use, else to the shorter of two queues (previous, random).
/// Work-conserving (<see cref="RunQueueScheduler"/>).
/// </summary>
internal sealed class RoundRobinScheduler : FifoRunQueueScheduler
{
    public override string Name => "RoundRobin";

    public override int SelectCpu(int task, int prevCpu) => DefaultSelect(task, prevCpu);
}

internal sealed class RoundRobinSchedulerFactory : ISchedulerFactory
{
    public string Name => "RoundRobin";

    public bool WorkConserving => true;

    public ISchedulerSettings? Bind(IConfigurationSection section, ICollection<string> errors) =>
        PolicyOptions.NoKeys(section, errors, new NoOptions(() => new RoundRobinScheduler()));
}
