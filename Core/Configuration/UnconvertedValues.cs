using System.ComponentModel;
using Microsoft.Extensions.Configuration;

namespace Emu.Core.Configuration;

/// <summary>
/// The configuration binder drops a list element or dictionary key it cannot convert, silently: <c>Vms:0:Cpus:0=x</c>
/// ran with that pCPU left out. These name each such value as the conversion error it is. They convert as the binder
/// does (the type's converter, invariant culture: "0x10" is 16).
/// </summary>
internal static class UnconvertedValues
{
    /// <summary>A list of integers (Vms:i:Cpus, Vms:i:Devices:j:Vcpus).</summary>
    public static void CheckIntList(IConfigurationSection list, List<string> errors)
    {
        foreach (var element in list.GetChildren())
        {
            if (element.Value is { } value && !IsInt(value))
            {
                errors.Add($"{element.Path}: cannot convert the value to Int32");
            }
        }
    }

    /// <summary>Integer-keyed lists of integers (Vms:i:VcpuCpus:k).</summary>
    public static void CheckIntKeyedIntLists(IConfigurationSection map, List<string> errors)
    {
        foreach (var entry in map.GetChildren())
        {
            if (!IsInt(entry.Key))
            {
                errors.Add($"{entry.Path}: '{entry.Key}' is not a number (the keys are vCPU indices)");
                continue;
            }

            CheckIntList(entry, errors);
        }
    }

    private static bool IsInt(string value)
    {
        try
        {
            TypeDescriptor.GetConverter(typeof(int)).ConvertFromInvariantString(value);
            return true;
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or OverflowException or NotSupportedException)
        {
            return false;
        }
    }
}
