using BenchmarkDotNet.Running;

namespace Emu.Benchmarks;

/// <summary>dotnet run -c Release --project benchmarks -- --filter '*'</summary>
public static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
