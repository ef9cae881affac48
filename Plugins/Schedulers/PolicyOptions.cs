using Emu.Core.Configuration;
using Emu.Core.Contracts;
using Microsoft.Extensions.Configuration;

namespace Emu.Plugins.Schedulers;

/// <summary>Reading a policy's own section (Scheduler:&lt;Policy&gt;) once, in its factory's Bind.</summary>
internal static class PolicyOptions
{
    /// <summary>
    /// Reads the section once with <paramref name="read"/> and passes its problems on to Core; the settings stand
    /// only when there were none.
    /// </summary>
    public static ISchedulerSettings? Bind(
        IConfigurationSection section, ICollection<string> errors, Func<IConfigurationSection, List<string>, ISchedulerSettings> read)
    {
        var problems = new List<string>();
        var settings = read(section, problems);
        foreach (string p in problems)
        {
            errors.Add(p);
        }

        return problems.Count == 0 ? settings : null;
    }

    /// <summary>For policies without options: any key in their section is a typo.</summary>
    public static ISchedulerSettings? NoKeys(IConfigurationSection section, ICollection<string> errors, ISchedulerSettings settings) =>
        Bind(section, errors, (s, problems) =>
        {
            var keys = new SectionKeys(s);
            keys.RejectUnknown();
            problems.AddRange(keys.Errors);
            return settings;
        });
}

/// <summary>The settings of a policy without options and without checks against the machine: they only create it.</summary>
internal sealed class NoOptions : ISchedulerSettings
{
    private readonly Func<IScheduler> _create;

    public NoOptions(Func<IScheduler> create)
    {
        _create = create;
    }

    public IScheduler Create() => _create();
}
