using System.Text;
using Emu.Core.Contracts;
using Emu.Core.Workloads;
using Emu.Host.Traces;

namespace Emu.Tests.Traces;

/// <summary>Imports trace text as emu import does and reads back what each VM's vCPUs will replay.</summary>
internal sealed class TraceExcerpt
{
    private TraceExcerpt(ImportedTrace trace, IReadOnlyList<ImportedVm> vms, List<List<List<GuestAction>>> actions)
    {
        Trace = trace;
        Vms = vms;
        Actions = actions;
    }

    public ImportedTrace Trace { get; }

    public IReadOnlyList<ImportedVm> Vms { get; }

    /// <summary>Per VM, per vCPU, the actions in the VM's actions file.</summary>
    public List<List<List<GuestAction>>> Actions { get; }

    public static TraceExcerpt Import(string text, bool hostTasks = false) => Import(new MemoryStream(Encoding.UTF8.GetBytes(text)), hostTasks);

    public static TraceExcerpt Import(Stream text, bool hostTasks = false)
    {
        string folder = Directory.CreateTempSubdirectory("emu-trace-").FullName;
        try
        {
            using var writer = new ReplayActionsFileWriter(Path.Combine(folder, "staging"));
            var trace = new TraceImporter("excerpt.txt", writer, hostTasks).Read(text);
            var vms = VmGrouping.Group("excerpt.txt", trace.VcpuThreads);
            var actions = new List<List<List<GuestAction>>>();
            foreach (var vm in vms)
            {
                string file = Path.Combine(folder, vm.Name + ".actions");
                using (var output = File.Create(file))
                {
                    writer.WriteFile(output, vm.Vcpus.Select(t => t?.Stream ?? -1).ToList(), trace.DurationNs);
                }

                actions.Add(ReadActions(file));
            }

            return new TraceExcerpt(trace, vms, actions);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Every vCPU's actions in an actions file, read as the replay reads them.</summary>
    public static List<List<GuestAction>> ReadActions(string file)
    {
        using var handle = File.OpenHandle(file);
        var header = ReplayActionsHeader.Read(handle);
        var all = new List<List<GuestAction>>();
        for (int v = 0; v < header.Vcpus.Count; v++)
        {
            var cursor = new ReplayActionCursor(handle, file, v, header.Vcpus[v]);
            var list = new List<GuestAction>();
            while (cursor.TryRead(out var a))
            {
                list.Add(a);
            }

            Assert.That(list, Has.Count.EqualTo(header.Vcpus[v].Actions), $"vCPU {v}: the index's count");
            all.Add(list);
        }

        return all;
    }

    /// <summary>An action as the tests write them: C 20000, I 0x..., H 26000, U 12000, M 3000.</summary>
    public static string Show(GuestAction a) => a.Kind switch
    {
        GuestActionKind.Compute => $"C {a.DurationNs}",
        GuestActionKind.SendIpi => $"I {a.Icr}",
        GuestActionKind.Halt => $"H {a.DurationNs}",
        GuestActionKind.UserspaceExit => $"U {a.DurationNs}",
        GuestActionKind.MmioExit => $"M {a.DurationNs}",
        _ => a.Kind.ToString(),
    };

    public string[] Shown(int vm, int vcpu) => Actions[vm][vcpu].Select(Show).ToArray();
}
