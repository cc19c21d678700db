namespace Pcrs.Grains.Scanning;

/// <summary>
/// A file's read was stopped by this side (its storage client closed, its silo stopping), not by the file or the server:
/// thrown to the DirectoryGrain, whose retry reads the file again, instead of recording an error for it.
/// </summary>
public sealed class ReadInterruptedException(string path, Exception cause)
    : Exception($"Reading '{path}' was interrupted on this side ({cause.GetType().Name}).", cause);
