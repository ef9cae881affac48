using System.CommandLine;
using Emu.Core.Configuration;

namespace Emu.Host.Cli;

/// <summary>
/// Builds and runs the command line. Bad input of any kind (arguments, configuration, plugins) ends in
/// one line per problem on stderr and exit code 2; stack traces only with --verbose (or -v detailed / diagnostic).
/// </summary>
internal static class EmuCli
{
    public static int Run(string[] args, TextWriter output, TextWriter error, string? hostDirectory = null, string? currentDirectory = null, Interruption? interruption = null)
    {
        var env = new HostEnvironment(output, error, hostDirectory ?? AppContext.BaseDirectory, currentDirectory ?? Directory.GetCurrentDirectory())
        {
            Interruption = interruption ?? new Interruption(),
        };
        var verbose = new Option<bool>("--verbose") { Description = "Show stack traces with errors (as -v diagnostic does).", Recursive = true };
        var verbosity = new Option<string>("--verbosity", "-v")
        {
            Description = "How much to print: q[uiet] (errors only), m[inimal] (paths written), n[ormal], d[etailed], diag[nostic] (stack traces too).",
            HelpName = "LEVEL",
            Recursive = true,
            DefaultValueFactory = _ => "normal",
        };
        verbosity.Validators.Add(result =>
        {
            string text = result.GetValueOrDefault<string>() ?? string.Empty;
            if (!VerbosityNames.TryParse(text, out _))
            {
                result.AddError($"--verbosity '{text}': expected quiet, minimal, normal, detailed or diagnostic (q, m, n, d, diag)");
            }
        });
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Print only errors (as -v quiet).", Recursive = true };
        var root = new RootCommand("Emu: a deterministic emulator of KVM's AVIC inter-processor interrupt delivery.");
        root.Options.Add(verbose);
        root.Options.Add(verbosity);
        root.Options.Add(quiet);
        root.Subcommands.Add(RunCommand.Create(env));
        root.Subcommands.Add(ValidateCommand.Create(env));
        root.Subcommands.Add(PluginsCommand.Create(env));
        root.Subcommands.Add(SweepCommand.Create(env));
        root.Subcommands.Add(MergeCommand.Create(env));
        root.Subcommands.Add(CompareCommand.Create(env));
        root.Subcommands.Add(BenchCommand.Create(env));
        root.Subcommands.Add(ImportCommand.Create(env));

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var e in parse.Errors)
            {
                error.WriteLine($"error: {e.Message}");
            }

            error.WriteLine("Run 'emu --help' for usage.");
            return ExitCodes.BadInput;
        }

        VerbosityNames.TryParse(parse.GetValue(verbosity) ?? "normal", out var level);
        if (parse.GetValue(quiet))
        {
            level = Verbosity.Quiet;
        }

        env.Verbosity = level;
        bool isVerbose = parse.GetValue(verbose) || level >= Verbosity.Detailed;
        try
        {
            // Signals are Interruption's: System.CommandLine's own termination handling would race it.
            return parse.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null });
        }
        catch (EmuConfigurationException ex)
        {
            foreach (string message in ex.Errors)
            {
                error.WriteLine($"error: {message}");
            }

            if (isVerbose)
            {
                error.WriteLine(ex.ToString());
            }

            return ExitCodes.BadInput;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            error.WriteLine($"internal error: {ex.GetType().Name}: {ex.Message}");
            error.WriteLine(isVerbose ? ex.ToString() : "Run again with --verbose for the stack trace, and please report it.");
            return ExitCodes.RunFailed;
        }
    }
}
