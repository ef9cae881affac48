namespace Emu.Core.Results;

/// <summary>One interval of Simulation:SampleUs, [StartNs, EndNs): what happened in it.</summary>
public readonly record struct TimeSample(
    long StartNs, long EndNs, long VmExits, long Doorbells, long SpuriousDoorbells, long IpisSent, long DeviceInterrupts, long ContextSwitches);
