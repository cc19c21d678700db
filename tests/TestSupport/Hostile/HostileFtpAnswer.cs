namespace Pcrs.TestSupport.Hostile;

/// <summary>One entry of a scripted FTP listing: a directory, or a file of <paramref name="Size"/> bytes.</summary>
public sealed record HostileFtpEntry(string Name, bool Directory, long Size = 0)
{
    public static HostileFtpEntry Folder(string name) => new(name, true);

    public static HostileFtpEntry File(string name, long size) => new(name, false, size);
}

/// <summary>How a scripted FTP server misbehaves on one command (on top of what it answers).</summary>
public enum HostileFtpBehaviour
{
    /// <summary>Answers as asked.</summary>
    Normal,

    /// <summary>Never answers the command (the connection stays open and silent).</summary>
    Stall,

    /// <summary>Starts a multi-line reply ("550-…") and never ends it.</summary>
    EndlessReply,

    /// <summary>Closes the data connection after <see cref="HostileFtpAnswer.DropAfterEntries"/> listing lines, then answers 426.</summary>
    DropData,
}

/// <summary>
/// What a scripted FTP server answers for one path, whichever command names it: a listing (MLSD, LIST after CWD, CWD,
/// MLST), a file (RETR, SIZE, MDTM, MLST), or a failure reply (<see cref="Code"/> 4xx/5xx; 421 also closes the control
/// connection, as a server shutting down does). Entries are enumerated as they are sent: a listing of millions of
/// generated entries takes no memory in the test.
/// </summary>
public sealed record HostileFtpAnswer(IEnumerable<HostileFtpEntry>? Entries = null, byte[]? Bytes = null, int Code = 0, string Message = "",
    HostileFtpBehaviour Behaviour = HostileFtpBehaviour.Normal, int DropAfterEntries = 0, TimeSpan? Delay = null)
{
    public static HostileFtpAnswer Listing(IEnumerable<HostileFtpEntry> entries) => new(Entries: entries);

    public static HostileFtpAnswer File(byte[] bytes) => new(Bytes: bytes);

    public static HostileFtpAnswer Failure(int code, string message) => new(Code: code, Message: message);

    public static HostileFtpAnswer Missing { get; } = Failure(550, "No such file or directory.");

    public bool IsFailure => Code >= 400;
}
