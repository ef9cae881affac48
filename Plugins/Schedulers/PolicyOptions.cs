using Emu.Core.Configuration;
using Microsoft.Extensions.Configuration;

namespace Emu.Plugins.Schedulers;

/// <summary>Reading a policy's own section (Scheduler:&lt;Policy&gt;).</summary>
internal static class PolicyOptions
{
    /// <summary>For policies without options: any key in their section is a typo.</summary>
    public static IEnumerable<string> NoKeys(IConfigurationSection section)
    {
        var keys = new SectionKeys(section);
        keys.RejectUnknown();
        return keys.Errors;
    }
}
