using Emu.Core.Contracts;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Emu.TestPlugins.Incompatible;

/// <summary>Claims the next major contract version, as a plugin built for a newer Emu would.</summary>
public sealed class FuturePlugin : IEmuPlugin
{
    public string Name => "Future";

    public Version Version => new(9, 0, 0);

    public Version ContractVersion => new(EmuContract.Major + 1, 0);

    public void ConfigureServices(IServiceCollection services, IConfiguration configuration) =>
        throw new InvalidOperationException("an incompatible plugin must never be asked to register");
}
