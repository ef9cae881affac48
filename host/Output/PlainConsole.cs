using Spectre.Console;

namespace Emu.Host.Output;

/// <summary>
/// A Spectre console over any writer: plain text, no colours, so output is the same in a pipe or a test. On a terminal
/// a table fits its width; in a file or a pipe it takes the width it needs (nothing wraps or is cut).
/// </summary>
internal static class PlainConsole
{
    /// <summary>Wide enough that no table of Emu's wraps a column when nothing limits the width.</summary>
    private const int Unlimited = 1000;

    public static IAnsiConsole Over(TextWriter writer)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(writer),
        });
        console.Profile.Width = Width(writer);
        return console;
    }

    private static int Width(TextWriter writer)
    {
        if (int.TryParse(Environment.GetEnvironmentVariable("COLUMNS"), out int columns) && columns >= 40)
        {
            return columns;
        }

        bool terminal = ReferenceEquals(writer, Console.Out) && !Console.IsOutputRedirected;
        return terminal ? Math.Max(80, Console.WindowWidth) : Unlimited;
    }
}
