using Emu.Core.Contracts;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ThirdPartyScheduler;

/// <summary>Registers the Lottery policy; select it with Scheduler:Policy = Lottery.</summary>
public sealed class LotteryPlugin : IEmuPlugin
{
    public string Name => "Lottery";

    public Version Version => new(1, 0, 0);

    /// <summary>Baked in at compile time: the contract this plugin was built against.</summary>
    public Version ContractVersion => EmuContract.Version;

    public void ConfigureServices(IServiceCollection services, IConfiguration configuration) =>
        services.AddSingleton<ISchedulerFactory, LotterySchedulerFactory>();
}
