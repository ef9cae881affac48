using System.CommandLine;
using System.Globalization;
using Emu.Core.Configuration;
using Emu.Host.Bench;

namespace Emu.Host.Cli;

/// <summary>
/// <c>emu bench</c>: how fast the model runs a scenario on this machine, as a ratio to a bare priority-queue loop
/// over the same number of events measured in the same process (docs/benchmarks.md), and what memory it takes.
/// </summary>
internal static class BenchCommand
{
    public static Command Create(HostEnvironment env)
    {
        var scenario = new ScenarioArguments();
        var rounds = new Option<int>("--rounds")
        {
            Description = "Rounds of (scenario, reference) after one unreported warm-up round; the medians are reported.",
            DefaultValueFactory = _ => 3,
        };
        var subjects = new Option<int>("--reference-subjects")
        {
            Description = "Subjects of the bare PriorityQueue reference loop (the engine benchmark's N).",
            DefaultValueFactory = _ => 256,
        };
        var json = JsonOutput.Create();
        var command = new Command("bench", "Time the scenario against a bare PriorityQueue loop over the same events, in one process.");
        scenario.AddTo(command);
        command.Options.Add(rounds);
        command.Options.Add(subjects);
        command.Options.Add(json);
        command.SetAction(parse =>
        {
            int n = parse.GetValue(rounds);
            int s = parse.GetValue(subjects);
            if (n < 1 || n > 1000)
            {
                throw new EmuConfigurationException($"--rounds {n}: must be between 1 and 1000");
            }

            if (s < 1 || s > 1 << 20)
            {
                throw new EmuConfigurationException($"--reference-subjects {s}: must be between 1 and 1048576");
            }

            var session = scenario.Open(parse, env);
            var unoptimised = OptimisationCheck.Unoptimised(session.Plugins);
            if (unoptimised.Count > 0)
            {
                // Before the rounds, so that a user can stop a bench that would time unoptimised code.
                env.Error.WriteLine($"warning: built with optimisation off (Debug builds?): {string.Join(", ", unoptimised)}; the JIT compiles their code unoptimised, so where the scenario runs it the times are slower than a Release build's");
            }

            BenchReport report;
            try
            {
                report = BenchRunner.Run(session, n, s, unoptimised, env.Interruption);
            }
            catch (OperationCanceledException)
            {
                return Interruption.ExitCode;
            }

            if (parse.GetValue(json))
            {
                JsonOutput.Write(env.Out, report.ToJson());
            }
            else
            {
                Write(env.Out, report);
            }

            return env.Interruption.Requested ? Interruption.ExitCode : ExitCodes.Success;
        });
        return command;
    }

    private static void Write(TextWriter o, BenchReport r)
    {
        var c = CultureInfo.InvariantCulture;
        o.WriteLine(string.Create(c, $"scenario: {r.Vms} VM(s), {r.Vcpus} vCPU(s) on {r.Pcpus} pCPU(s); {r.Rounds[0].Events:N0} events per round"));
        o.WriteLine(string.Create(c, $"reference: a bare PriorityQueue loop of {r.ReferenceSubjects} subjects over as many events"));
        o.WriteLine("round  build s  model ns/event  reference ns/event  model/reference events/s");
        for (int i = 0; i < r.Rounds.Count; i++)
        {
            var x = r.Rounds[i];
            o.WriteLine(string.Create(c, $"{i + 1,5}  {x.BuildSeconds,7:0.000}  {x.ModelNsPerEvent,14:0.0}  {x.ReferenceNsPerEvent,17:0.0}  {x.Ratio,24:0.000}"));
        }

        o.WriteLine(string.Create(c, $"median {"",7}  {r.MedianModelNsPerEvent,14:0.0}  {r.MedianReferenceNsPerEvent,17:0.0}  {r.MedianRatio,24:0.000}"));
        o.WriteLine(string.Create(c, $"memory: {r.RetainedBytes:N0} bytes retained by the built scenario ({r.RetainedBytes / Math.Max(1, r.Vcpus):N0} per vCPU); peak RSS {r.PeakRssBytes / 1048576.0:0.0} MiB"));
    }
}
