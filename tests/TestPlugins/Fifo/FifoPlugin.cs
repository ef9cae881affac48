using Emu.Core.Contracts;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Emu.TestPlugins.Fifo;

/// <summary>
/// Registers the TestFifo policy: one global first-in first-out run queue. TestFifo:ThrowOnRegister makes
/// registration throw, so tests can see how the host reports a plugin that fails.
/// </summary>
public sealed class FifoPlugin : IEmuPlugin
{
    public string Name => "TestFifo";

    public Version Version => new(1, 2, 3);

    public Version ContractVersion => EmuContract.Version;

    public void ConfigureServices(IServiceCollection services, IConfiguration configuration)
    {
        if (configuration.GetValue<bool>("TestFifo:ThrowOnRegister"))
        {
            throw new InvalidOperationException("asked to fail by TestFifo:ThrowOnRegister");
        }

        services.AddSingleton(new ConfigSectionKeys("TestFifo", new[] { "ThrowOnRegister" }));
        services.AddSingleton<ISchedulerFactory, FifoSchedulerFactory>();
    }
}
