using Emu.Core.Contracts;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Emu.Plugins.Schedulers;

/// <summary>Registers the placement and time-slicing policies; Scheduler:Policy picks one by name.</summary>
public sealed class SchedulersPlugin : IEmuPlugin
{
    public string Name => "Schedulers";

    public Version Version => new(0, 1, 0);

    public Version ContractVersion => EmuContract.Version;

    public void ConfigureServices(IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<ISchedulerFactory, PinnedSchedulerFactory>();
        services.AddSingleton<ISchedulerFactory, RoundRobinSchedulerFactory>();
    }
}
