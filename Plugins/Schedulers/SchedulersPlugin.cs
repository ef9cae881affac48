using Emu.Core.Contracts;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Emu.Plugins.Schedulers;

/// <summary>Registers the placement and time-slicing policies; Scheduler:Policy picks one by name.</summary>
public sealed class SchedulersPlugin : IEmuPlugin
{
    public string Name => "Schedulers";

    public Version Version => GetType().Assembly.GetName().Version!;

    public Version ContractVersion => EmuContract.Version;

    public void ConfigureServices(IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<ISchedulerFactory, PinnedSchedulerFactory>();
        services.AddSingleton<ISchedulerFactory, RoundRobinSchedulerFactory>();
        services.AddSingleton<ISchedulerFactory, FairSchedulerFactory>();
        services.AddSingleton<ISchedulerFactory>(new SmtSchedulerFactory(pack: true));
        services.AddSingleton<ISchedulerFactory>(new SmtSchedulerFactory(pack: false));
        services.AddSingleton<ISchedulerFactory, NumaLocalSchedulerFactory>();
        services.AddSingleton<ISchedulerFactory, RandomSchedulerFactory>();
    }
}
