namespace Emu.Core.Contracts;

/// <summary>
/// Optional for an <see cref="IInterruptVirtualization"/>: describes a vCPU's interrupt state (its table entry
/// in hex, say) for violation and lost-wake-up reports.
/// </summary>
public interface IVcpuStateDescriber
{
    string Describe(int vcpu);
}
