using Emu.Host.Cli;

namespace Emu.Host;

/// <summary>The <c>emu</c> command line.</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        using var interruption = Interruption.ForProcess();
        return EmuCli.Run(args, Console.Out, Console.Error, interruption: interruption);
    }
}
