using Emu.Core.Configuration;
using Emu.Core.Contracts;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Emu.Plugins.Svm;

/// <summary>
/// AMD SVM's AVIC: tables, the hardware's ICR path, doorbells and KVM's load / put / blocking hooks with the
/// seed's avic_doorbell_strict. With Svm:Avic = false it registers nothing, and Core's emulated path runs.
/// </summary>
public sealed class SvmPlugin : IEmuPlugin
{
    public string Name => "Svm";

    public Version Version => GetType().Assembly.GetName().Version!;

    public Version ContractVersion => EmuContract.Version;

    public void ConfigureServices(IServiceCollection services, IConfiguration configuration)
    {
        var errors = new List<string>();
        var options = OptionsValidation.Bind<SvmOptions>(configuration, SvmOptions.Section, errors);
        var costs = OptionsValidation.Bind<SvmCosts>(configuration, CostsOptions.Section, errors);
        SvmOptions.RejectMovedKeys(configuration, errors);
        if (errors.Count > 0)
        {
            throw new EmuConfigurationException(errors);
        }

        // The Svm section is this plugin's; moved keys are declared so that they get their own message above.
        services.AddSingleton(new ConfigSectionKeys(SvmOptions.Section, OptionsValidation.PropertyNames<SvmOptions>().Concat(SvmOptions.MovedKeys.Keys).ToList()));
        services.AddSingleton(new ConfigSectionKeys(CostsOptions.Section, OptionsValidation.PropertyNames<SvmCosts>().ToList()));
        if (!options.Avic)
        {
            return;
        }

        // The nested layer, if any, is built on this plugin's IDoorbell and IAvicHardware: ask for it only when the run starts.
        services.AddSingleton(sp => new AvicContext(options, costs, sp.GetRequiredService<KvmOptions>(), () => sp.GetService<INestedInterruptVirtualization>()));
        services.AddSingleton(sp => new Doorbell(sp.GetRequiredService<AvicContext>()));
        if (options.IommuAvic)
        {
            services.AddSingleton(sp => sp.GetRequiredService<AvicContext>().Iommu = new AmdIommu(sp.GetRequiredService<AvicContext>()));
            services.AddSingleton<IPostedInterruptRemapping>(sp => sp.GetRequiredService<AmdIommu>());
        }

        services.AddSingleton<IDoorbell>(sp => sp.GetRequiredService<Doorbell>());
        services.AddSingleton<IInterruptVirtualization>(sp => new AvicInterruptController(sp.GetRequiredService<AvicContext>(), sp.GetRequiredService<Doorbell>()));
        services.AddSingleton(sp => new AvicHooks(sp.GetRequiredService<AvicContext>()));
        services.AddSingleton<IVcpuLifecycleHooks>(sp => sp.GetRequiredService<AvicHooks>());
        services.AddSingleton<IAvicInhibit>(sp => sp.GetRequiredService<AvicHooks>());
        services.AddSingleton<IAvicHardware>(new AvicHardware());
        services.AddSingleton<IStateDump>(sp => new AvicTableDump(sp.GetRequiredService<AvicContext>()));
    }
}
