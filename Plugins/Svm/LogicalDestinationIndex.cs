using System.Text;
using Emu.Core.Model;

namespace Emu.Plugins.Svm;

/// <summary>
/// For each logical destination but broadcast (0x00–0xFE), the indices of the VM's vCPUs it names, in index order:
/// kvm_apic_match_dest on their LDR and DFR, which are fixed for the run. avic_kick_target_vcpus then visits a logical
/// ICR's at most 8 targets, in the order a scan of the VM would, instead of matching every vCPU of the VM.
/// </summary>
internal static class LogicalDestinationIndex
{
    /// <summary>The vCPU indices each logical destination names, shared by VMs whose vCPUs have the same LDRs and DFRs.</summary>
    public static int[][] Build(VcpuInfo[] infos, Dictionary<string, int[][]> layouts)
    {
        var key = new StringBuilder(infos.Length * 4);
        foreach (var v in infos)
        {
            key.Append(v.LogicalId).Append(v.FlatLogicalMode ? 'f' : 'c').Append(',');
        }

        string layout = key.ToString();
        if (layouts.TryGetValue(layout, out int[][]? shared))
        {
            return shared;
        }

        var byDestination = new int[Icr.PhysicalBroadcast][];
        var named = new List<int>();
        for (int dest = 0; dest < byDestination.Length; dest++)
        {
            var icr = Icr.Fixed(vector: 0, destination: (byte)dest, logical: true);
            named.Clear();
            for (int i = 0; i < infos.Length; i++)
            {
                if (ApicDestination.Matches(in infos[i], icr, senderApicId: -1))
                {
                    named.Add(i);
                }
            }

            byDestination[dest] = named.Count == 0 ? Array.Empty<int>() : named.ToArray();
        }

        layouts[layout] = byDestination;
        return byDestination;
    }
}
