using Emu.Core.Contracts;
using Emu.Core.Model;

namespace Emu.Plugins.Svm;

/// <summary>
/// A vCPU's virtual APIC backing page (APM vol. 2, 15.29.3): the 4 KiB page AVIC reads and writes in place of
/// the APIC registers. The model keeps the registers interrupt delivery needs: the ICR the guest last wrote
/// (0x300 low, 0x310 high), and the IRR (0x200), whose bits live in Core's per-vCPU vIRR so that both
/// delivery paths (accelerated and emulated) set the same register. The ISR (0x100) is not modelled: a
/// vector is serviced and EOI'd when the guest accepts it.
/// </summary>
internal sealed class BackingPage
{
    public const int IrrOffset = 0x200;
    public const int IcrLowOffset = 0x300;
    public const int IcrHighOffset = 0x310;

    public BackingPage(ulong address) => Address = address;

    /// <summary>The page's system physical address, as the physical APIC ID entry holds it.</summary>
    public ulong Address { get; }

    /// <summary>The ICR as the guest last wrote it; on an incomplete-IPI exit KVM also gets it in EXITINFO1.</summary>
    public Icr Icr { get; set; }

    /// <summary>The page in hex: address, ICR, and the IRR's eight 32-bit registers (highest first).</summary>
    public string Dump(IMachineView machine, int vcpu)
    {
        var irr = machine.Irr(vcpu);
        var words = new string[8];
        for (int i = 0; i < 8; i++)
        {
            words[i] = irr.Register32(7 - i).ToString("X8", System.Globalization.CultureInfo.InvariantCulture);
        }

        return $"page 0x{Address:X12} ICR[0x{IcrHighOffset:X3}:0x{IcrLowOffset:X3}] 0x{Icr.Value:X16} IRR[0x{IrrOffset:X3}] {string.Join(' ', words)}";
    }
}
