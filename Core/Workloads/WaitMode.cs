namespace Emu.Core.Workloads;

/// <summary>How a guest waits for an IPI: halting (and blocking in KVM) or spinning in guest mode.</summary>
public enum WaitMode
{
    Halt,
    Spin,
}
