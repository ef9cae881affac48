using Emu.Core.Contracts;
using Microsoft.Extensions.Configuration;

namespace Emu.Plugins.Schedulers;

/// <summary>
/// SMT-aware placement of a VM's vCPUs, with per-pCPU FIFO queues (<see cref="RunQueueScheduler"/>).
/// <b>SmtPack</b> puts a waking vCPU on a free thread whose sibling runs a vCPU of the same VM, so a VM fills
/// whole cores (sibling IPIs stay on one core; other VMs keep whole cores). <b>SmtSpread</b> prefers a free core,
/// then a thread whose siblings run no vCPU of the same VM (a VM's vCPUs do not share a core's pipeline).
/// Host tasks and the no-free-pCPU case use the default choice. Ties go to the lowest pCPU id.
/// </summary>
internal sealed class SmtScheduler : FifoRunQueueScheduler
{
    private readonly bool _pack;
    private int[] _sibling = Array.Empty<int>();

    public SmtScheduler(bool pack)
    {
        _pack = pack;
    }

    public override string Name => _pack ? "SmtPack" : "SmtSpread";

    public override void Initialize(ISchedulerContext context)
    {
        base.Initialize(context);
        _sibling = new int[CpuCount];
        for (int c = 0; c < CpuCount; c++)
        {
            _sibling[c] = context.Topology.Cpus[c].SmtSibling;
        }
    }

    public override int SelectCpu(int task, int prevCpu)
    {
        int vm = Ctx.VmOfTask(task);
        if (vm < 0 || !AnyIdle)
        {
            return DefaultSelect(task, prevCpu);
        }

        int best = -1, bestScore = -1;
        for (int c = 0; c < CpuCount; c++)
        {
            if (!Ctx.IsAllowed(task, c) || !IsFree(c))
            {
                continue;
            }

            int score = _pack ? PackScore(c, vm, prevCpu) : SpreadScore(c, vm, prevCpu);
            if (score > bestScore)
            {
                best = c;
                bestScore = score;
            }
        }

        return best >= 0 ? best : ShorterQueue(task, prevCpu);
    }

    private int PackScore(int cpu, int vm, int prevCpu) =>
        SiblingRuns(cpu, vm) ? 3 : cpu == prevCpu ? 2 : SiblingsIdle(cpu) ? 0 : 1;

    private int SpreadScore(int cpu, int vm, int prevCpu) =>
        SiblingsIdle(cpu) ? 3 : SiblingRuns(cpu, vm) ? 0 : cpu == prevCpu ? 2 : 1;

    /// <summary>Does another thread of this pCPU's core run (or switch in) a vCPU of the VM?</summary>
    private bool SiblingRuns(int cpu, int vm)
    {
        for (int s = _sibling[cpu]; s >= 0 && s != cpu; s = _sibling[s])
        {
            int t = Ctx.TaskOn(s);
            if (t >= 0 && Ctx.VmOfTask(t) == vm)
            {
                return true;
            }
        }

        return false;
    }

    private bool SiblingsIdle(int cpu)
    {
        for (int s = _sibling[cpu]; s >= 0 && s != cpu; s = _sibling[s])
        {
            if (Ctx.TaskOn(s) >= 0)
            {
                return false;
            }
        }

        return true;
    }
}

internal sealed class SmtSchedulerFactory : ISchedulerFactory
{
    private readonly bool _pack;

    public SmtSchedulerFactory(bool pack)
    {
        _pack = pack;
    }

    public string Name => _pack ? "SmtPack" : "SmtSpread";

    public bool WorkConserving => true;

    public ISchedulerSettings? Bind(IConfigurationSection section, ICollection<string> errors) =>
        PolicyOptions.NoKeys(section, errors, new NoOptions(() => new SmtScheduler(_pack)));
}
