using Emu.Core.Configuration;
using Emu.Core.Contracts;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Emu.Plugins.NestedSvm;

/// <summary>
/// Nested (L2) AVIC: an L1 hypervisor's L2 guest, L1's physical APIC ID table for it and the shadow L0 keeps
/// for the hardware, the nested load / put that the Svm plugin calls through <see cref="INestedInterruptVirtualization"/>,
/// and L2 interrupts through the same hardware rules and doorbells (Core's <see cref="IAvicHardware"/> and
/// <see cref="IDoorbell"/>, provided by the Svm plugin). A VM opts in with a <c>Nested</c> section; others are untouched.
/// </summary>
public sealed class NestedSvmPlugin : IEmuPlugin
{
    public string Name => "NestedSvm";

    public Version Version => GetType().Assembly.GetName().Version!;

    public Version ContractVersion => EmuContract.Version;

    public void ConfigureServices(IServiceCollection services, IConfiguration configuration)
    {
        var errors = new List<string>();
        var costs = OptionsValidation.Bind<NestedCosts>(configuration, CostsOptions.Section, errors);
        if (errors.Count > 0)
        {
            throw new EmuConfigurationException(errors);
        }

        services.AddSingleton(new ConfigSectionKeys(CostsOptions.Section, OptionsValidation.PropertyNames<NestedCosts>().ToList()));
        // One layer per run, in three roles: the nested hooks the Svm plugin calls, the VM decorator, the result section.
        services.AddSingleton(sp => new NestedAvic(costs, sp.GetService<IAvicHardware>(), sp.GetService<IDoorbell>(), sp.GetService<IAvicInhibit>()));
        services.AddSingleton<INestedInterruptVirtualization>(sp => sp.GetRequiredService<NestedAvic>());
        services.AddSingleton<IWorkloadDecorator>(sp => sp.GetRequiredService<NestedAvic>());
        services.AddSingleton<IResultSection>(sp => sp.GetRequiredService<NestedAvic>());
    }
}
