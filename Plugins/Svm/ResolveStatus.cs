namespace Emu.Plugins.Svm;

/// <summary>Why destination resolution failed, before any IRR is written.</summary>
internal enum ResolveStatus : byte
{
    Ok,
    InvalidTarget,
    InvalidBackingPage,
}
