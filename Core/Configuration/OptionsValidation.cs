using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;

namespace Emu.Core.Configuration;

/// <summary>
/// Binds and validates options with messages that name the full key (<c>Scheduler:TimeSliceUs: must be ...</c>).
/// The stock <c>ValidateDataAnnotations</c> names only the class and member, which a user cannot find in JSON.
/// </summary>
public static class OptionsValidation
{
    /// <summary>Binds a section to a new <typeparamref name="T"/>, collecting conversion and annotation errors.</summary>
    public static T Bind<T>(IConfiguration configuration, string sectionPath, List<string> errors)
        where T : new()
    {
        var value = new T();
        var section = configuration.GetSection(sectionPath);
        try
        {
            section.Bind(value);
        }
        catch (InvalidOperationException ex)
        {
            errors.Add(ConversionMessage(ex));
            return value;
        }

        UnconvertedValues.Check(section, value, errors);
        Validate(value, sectionPath, errors);
        return value;
    }

    /// <summary>Validates data annotations of an object bound from <paramref name="sectionPath"/>.</summary>
    public static void Validate(object value, string sectionPath, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(errors);
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(value, new ValidationContext(value), results, validateAllProperties: true);
        foreach (var r in results)
        {
            foreach (var member in r.MemberNames.DefaultIfEmpty(""))
            {
                string key = member.Length == 0 ? sectionPath : $"{sectionPath}:{member}";
                errors.Add($"{key}: {r.ErrorMessage}");
            }
        }
    }

    /// <summary>Reports keys under <paramref name="sectionPath"/> that no property of <paramref name="known"/> reads.</summary>
    public static void RejectUnknownKeys(IConfiguration configuration, string sectionPath, IEnumerable<string> known, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(errors);
        var set = new HashSet<string>(known, StringComparer.OrdinalIgnoreCase);
        foreach (var child in configuration.GetSection(sectionPath).GetChildren())
        {
            if (!set.Contains(child.Key))
            {
                errors.Add($"{sectionPath}:{child.Key}: unknown key (known: {string.Join(", ", set.Order(StringComparer.Ordinal))})");
            }
            else if (child.Value is not null && child.GetChildren().FirstOrDefault() is { } sub)
            {
                // "Svm:Avic=true" and "Svm:Avic:Strict=false" both bind silently; the sub-key would be ignored.
                errors.Add($"{sub.Path}: {child.Path} is a value ('{child.Value}'), not a section");
            }
        }
    }

    public static IEnumerable<string> PropertyNames<T>() => typeof(T).GetProperties().Select(p => p.Name);

    /// <summary>The binder's "Failed to convert configuration value at 'X' to type 'Y'" made short.</summary>
    public static string ConversionMessage(InvalidOperationException ex)
    {
        ArgumentNullException.ThrowIfNull(ex);
        string msg = ex.Message;
        int at = msg.IndexOf("at '", StringComparison.Ordinal);
        if (at >= 0)
        {
            int end = msg.IndexOf('\'', at + 4);
            int type = msg.IndexOf("type '", StringComparison.Ordinal);
            if (end > at && type > 0)
            {
                string key = msg[(at + 4)..end];
                int typeEnd = msg.IndexOf('\'', type + 6);
                string typeName = typeEnd > type ? msg[(type + 6)..typeEnd].Replace("System.", "", StringComparison.Ordinal) : "the expected type";
                return $"{key}: cannot convert the value to {typeName}";
            }
        }

        return msg;
    }
}
