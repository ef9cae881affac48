using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Emu.Core.Contracts;

/// <summary>
/// A plugin's entry point: the host finds one public implementation per plugin assembly, checks the contract
/// version, and calls <see cref="ConfigureServices"/> for every simulation it builds.
/// </summary>
public interface IEmuPlugin
{
    string Name { get; }

    Version Version { get; }

    /// <summary>The contract version the plugin was compiled against; return <see cref="EmuContract.Version"/>.</summary>
    Version ContractVersion { get; }

    /// <summary>Registers the plugin's services, binding its options from <paramref name="configuration"/>.</summary>
    void ConfigureServices(IServiceCollection services, IConfiguration configuration);
}
