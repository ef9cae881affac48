using Emu.Host.Cli;

namespace Emu.Host;

/// <summary>The <c>emu</c> command line.</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "run")
        {
            StartupWarmup.Begin(); // on the second core, while this one parses, configures and loads (issue 19)
        }

        using var interruption = Interruption.ForProcess();
        return EmuCli.Run(args, Console.Out, Console.Error, interruption: interruption);
    }
}
