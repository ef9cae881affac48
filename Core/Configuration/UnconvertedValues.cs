using System.ComponentModel;
using Microsoft.Extensions.Configuration;

namespace Emu.Core.Configuration;

/// <summary>
/// The configuration binder drops a list element or dictionary key it cannot convert, silently: <c>Vms:0:Cpus:0=x</c>
/// ran with that pCPU left out. After a bind, this names each such value as the conversion error it is, for every
/// list and dictionary property of the bound object (Vms:i:Cpus, Vms:i:VcpuCpus, a device's Vcpus, and whatever a
/// plugin's options hold). Values convert as the binder converts them (the type's converter, invariant culture:
/// "0x10" is 16).
/// </summary>
internal static class UnconvertedValues
{
    /// <summary>Checks the collections of <paramref name="bound"/>, bound from <paramref name="section"/>.</summary>
    public static void Check(IConfigurationSection section, object bound, List<string> errors)
    {
        foreach (var property in bound.GetType().GetProperties())
        {
            var type = property.PropertyType;
            if (!type.IsGenericType)
            {
                continue;
            }

            var definition = type.GetGenericTypeDefinition();
            var arguments = type.GetGenericArguments();
            if (definition == typeof(List<>))
            {
                CheckList(section.GetSection(property.Name), arguments[0], errors);
            }
            else if (definition == typeof(Dictionary<,>))
            {
                CheckMap(section.GetSection(property.Name), arguments[0], arguments[1], errors);
            }
        }
    }

    private static void CheckList(IConfigurationSection list, Type element, List<string> errors)
    {
        foreach (var item in list.GetChildren())
        {
            CheckValue(item, element, errors);
        }
    }

    private static void CheckMap(IConfigurationSection map, Type key, Type value, List<string> errors)
    {
        foreach (var entry in map.GetChildren())
        {
            if (!Converts(entry.Key, key))
            {
                errors.Add(IsNumber(key) ? $"{entry.Path}: '{entry.Key}' is not a number" : $"{entry.Path}: '{entry.Key}' cannot convert to {key.Name}");
            }
            else if (value.IsGenericType && value.GetGenericTypeDefinition() == typeof(List<>))
            {
                CheckList(entry, value.GetGenericArguments()[0], errors);
            }
            else
            {
                CheckValue(entry, value, errors);
            }
        }
    }

    /// <summary>A scalar where a scalar belongs (an element that is a section is an object's, bound and checked by its own rules).</summary>
    private static void CheckValue(IConfigurationSection item, Type type, List<string> errors)
    {
        if (item.Value is { } text && IsScalar(type) && !Converts(text, type))
        {
            errors.Add($"{item.Path}: cannot convert the value to {type.Name}");
        }
    }

    private static bool IsScalar(Type type) => type.IsPrimitive || type.IsEnum || type == typeof(decimal);

    private static bool IsNumber(Type type) => type.IsPrimitive && type != typeof(bool) && type != typeof(char);

    private static bool Converts(string text, Type type)
    {
        if (type == typeof(string))
        {
            return true;
        }

        try
        {
            TypeDescriptor.GetConverter(type).ConvertFromInvariantString(text);
            return true;
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or OverflowException or NotSupportedException)
        {
            return false;
        }
    }
}
