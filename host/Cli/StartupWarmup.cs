using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Emu.Core.Configuration;
using Emu.Core.Results;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Emu.Host.Cli;

/// <summary>
/// Work every `emu run` does later, started on a second thread as the process starts, while the main one parses the
/// command line, reads the configuration and loads the plugins (issue 19, start-up; docs/benchmarks.md). In the order
/// the run needs it: SHA-256 (the plugins' hashes load OpenSSL), the configuration binder and DataAnnotations
/// validation (binding one section, validating Core's others), the DI container, HdrHistogram's type initialiser (it
/// builds a Regex) and result.json's serialization metadata. It changes no result, only when the work is done: the
/// run does the same work itself where this has not got to yet (all of it is thread-safe).
/// </summary>
internal static class StartupWarmup
{
    /// <summary>Starts the warm-up on a background thread; a failure there is left for the run to meet and report.</summary>
    public static void Begin()
    {
        var thread = new Thread(WarmQuietly) { IsBackground = true, Name = "emu start-up warm-up" };
        thread.Start();
    }

    /// <summary>The warm-up itself, on the calling thread.</summary>
    internal static void Warm()
    {
        SHA256.HashData(ReadOnlySpan<byte>.Empty);

        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection([new(SimulationOptions.Section + ":DurationUs", "1")])
            .Build();
        var errors = new List<string>();
        OptionsValidation.Bind<SimulationOptions>(configuration, SimulationOptions.Section, errors);

        // DataAnnotations reads each type's attributes by reflection the first time it validates one: Core's sections.
        OptionsValidation.Validate(new TopologyOptions(), TopologyOptions.Section, errors);
        OptionsValidation.Validate(new SchedulerOptions(), SchedulerOptions.Section, errors);
        OptionsValidation.Validate(new HostTasksOptions(), HostTasksOptions.Section, errors);
        OptionsValidation.Validate(new CostsOptions(), CostsOptions.Section, errors);
        OptionsValidation.Validate(new KvmOptions(), KvmOptions.Section, errors);
        OptionsValidation.Validate(new VmOptions(), "Vms:0", errors);

        using (var provider = new ServiceCollection().AddSingleton(configuration).BuildServiceProvider())
        {
            provider.GetService<IConfigurationRoot>();
        }

        RuntimeHelpers.RunClassConstructor(typeof(HdrHistogram.HistogramBase).TypeHandle);
        ResultJson.Prepare();
    }

    private static void WarmQuietly()
    {
        try
        {
            Warm();
        }
#pragma warning disable CA1031 // a warm-up's failure is the run's to meet and report, when it does the same work
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }
}
