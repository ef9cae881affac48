namespace Emu.Host.Cli;

/// <summary>
/// How much a command prints (<c>-v|--verbosity</c>, dotnet's levels): quiet prints only errors, minimal the paths of
/// what it wrote, normal the summary too (the default), detailed and diagnostic add the stack trace of an error.
/// </summary>
internal enum Verbosity
{
    Quiet,
    Minimal,
    Normal,
    Detailed,
    Diagnostic,
}

internal static class VerbosityNames
{
    /// <summary>dotnet's names and their short forms: q[uiet], m[inimal], n[ormal], d[etailed], diag[nostic].</summary>
    public static bool TryParse(string text, out Verbosity verbosity)
    {
        verbosity = text.ToLowerInvariant() switch
        {
            "q" or "quiet" => Verbosity.Quiet,
            "m" or "minimal" => Verbosity.Minimal,
            "n" or "normal" => Verbosity.Normal,
            "d" or "detailed" => Verbosity.Detailed,
            "diag" or "diagnostic" => Verbosity.Diagnostic,
            _ => (Verbosity)(-1),
        };
        return verbosity >= Verbosity.Quiet;
    }
}
