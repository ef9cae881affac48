using Emu.Core.Contracts;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Emu.Plugins.NestedSvm;

/// <summary>
/// Nested (L2) AVIC: the L1 hypervisor's shadow tables and the nested load / put that the Svm plugin calls
/// through <see cref="INestedInterruptVirtualization"/>. Until the nested model lands it registers nothing,
/// so a scenario with a nested guest is refused at validation instead of running with a fake model.
/// </summary>
public sealed class NestedSvmPlugin : IEmuPlugin
{
    public string Name => "NestedSvm";

    public Version Version => new(0, 1, 0);

    public Version ContractVersion => EmuContract.Version;

    public void ConfigureServices(IServiceCollection services, IConfiguration configuration)
    {
    }
}
