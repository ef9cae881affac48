namespace Emu.Core.Topology;

/// <summary>One host logical CPU (an SMT thread).</summary>
public sealed record PhysicalCpu(int Id, int ApicId, int Socket, int Core, int Thread, int SmtSibling, int NumaNode);
