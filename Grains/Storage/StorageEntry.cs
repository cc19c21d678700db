namespace Pcrs.Grains.Storage;

/// <summary>What a listing says of one name in a directory.</summary>
public enum StorageEntryKind
{
    File,
    Directory,
    Link,
}

/// <summary>
/// One entry of a directory listing. <see cref="Name"/> is decoded (no percent-encoding), without any slash.
/// <see cref="Size"/> is null when the listing gives none, and may be rounded on HTTP listings (<see cref="SizeIsExact"/> false).
/// </summary>
public sealed record StorageEntry(
    string Name,
    StorageEntryKind Kind,
    long? Size,
    DateTimeOffset? LastModified,
    string? ETag = null,
    bool SizeIsExact = true);
