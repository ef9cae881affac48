using Emu.Core.Contracts;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace EmuPlugin1;

/// <summary>The plugin's entry point: emu finds this class in the assembly and calls ConfigureServices once.</summary>
public sealed class Plugin : IEmuPlugin
{
    public string Name => "EmuPlugin1";

    public Version Version => new(1, 0, 0);

    /// <summary>The contract version this plugin was compiled against; the host refuses another major version.</summary>
    public Version ContractVersion => EmuContract.Version;

    public void ConfigureServices(IServiceCollection services, IConfiguration configuration) =>
        services.AddSingleton<IWorkloadFactory, WorkloadFactory>();
}
