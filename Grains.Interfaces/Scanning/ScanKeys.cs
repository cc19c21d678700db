namespace Pcrs.Grains.Interfaces.Scanning;

/// <summary>
/// Grain keys of the scanning grains. A StorageGrain is keyed by the storage's identity key
/// (<c>StorageLocation.IdentityKey</c>, e.g. <c>ftp://peer@127.0.0.1:2121</c>); a DirectoryGrain by
/// <c>&lt;storage key&gt;|/path/</c> (always a trailing '/'); a FileGrain by <c>&lt;storage key&gt;|/path/name.jp2</c>
/// or by a file shard, <c>&lt;storage key&gt;|#n</c>.
/// The storage key never contains '|' after the scheme's "://" because user names are percent-encoded in it.
/// </summary>
public static class ScanKeys
{
    public const char Separator = '|';

    /// <summary>Key of the DirectoryGrain for <paramref name="directoryPath"/> ("/" or "/a/b", with or without a trailing '/').</summary>
    public static string Directory(string storageKey, string directoryPath) =>
        storageKey + Separator + (directoryPath.EndsWith('/') ? directoryPath : directoryPath + "/");

    /// <summary>Key of the FileGrain for the file at <paramref name="filePath"/>.</summary>
    public static string File(string storageKey, string filePath) => storageKey + Separator + filePath;

    /// <summary>
    /// Key of file shard <paramref name="shard"/> of a storage: a FileGrain that analyses batches of any of the storage's
    /// files (its key's path part, <c>#n</c>, names no file).
    /// </summary>
    public static string FileShard(string storageKey, int shard) => storageKey + Separator + "#" + shard.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Splits a directory or file key into the storage key and the path (a directory path keeps its trailing '/').</summary>
    public static (string StorageKey, string Path) Split(string key)
    {
        int separator = key.IndexOf(Separator);
        if (separator <= 0 || separator == key.Length - 1)
            throw new ArgumentException($"'{key}' is not a directory or file grain key (<storage key>|/path).", nameof(key));
        return (key[..separator], key[(separator + 1)..]);
    }

    /// <summary>"/a/b/" → "/a/b"; "/" stays "/". The catalogue stores directory paths this way.</summary>
    public static string TrimDirectory(string directoryPath) =>
        directoryPath.Length > 1 && directoryPath.EndsWith('/') ? directoryPath[..^1] : directoryPath;
}
