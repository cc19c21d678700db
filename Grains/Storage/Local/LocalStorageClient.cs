using System.Runtime.CompilerServices;

namespace Pcrs.Grains.Storage.Local;

/// <summary>
/// A local or mounted folder (<c>file://</c>). Storage paths are the absolute local paths under the declared folder;
/// the client never leaves that folder, neither through <c>..</c> nor through symbolic links pointing outside it.
/// Links are listed as <see cref="StorageEntryKind.Link"/> (with the target's size when it is a file inside the folder)
/// so a crawler does not follow them into loops.
/// </summary>
/// <remarks>
/// .NET decodes Unix file names as UTF-8; a name with invalid UTF-8 bytes comes back with U+FFFD and cannot be opened
/// again through that name. Such files are listed but their reads fail with NotFound.
/// </remarks>
public sealed class LocalStorageClient : IStorageClient
{
    /// <summary>Upper bound on entries in one directory, so a runaway folder cannot exhaust memory.</summary>
    internal const int MaxEntriesPerDirectory = 2_000_000;

    private static readonly EnumerationOptions ListOptions = new()
    {
        RecurseSubdirectories = false,
        IgnoreInaccessible = false,
        AttributesToSkip = FileAttributes.None,
        ReturnSpecialDirectories = false,
    };

    private readonly string _declaredRoot;
    private readonly string _physicalRoot;

    public LocalStorageClient(StorageLocation location)
    {
        ArgumentNullException.ThrowIfNull(location);
        if (location.Protocol != StorageProtocol.File)
            throw new StorageException(StorageErrorKind.Invalid, $"A local folder client needs a file:// location, not {location.Family}://.");
        _declaredRoot = StorageLocation.NormalizePath(location.Path);
        // The declared folder itself may be a link (an administrator's mount point); what must not escape is what lies below it.
        _physicalRoot = LocalPathResolver.Resolve(_declaredRoot);
    }

    public IAsyncEnumerable<StorageEntry> ListAsync(string directoryPath, CancellationToken cancellationToken)
    {
        // Resolve eagerly so that a bad path fails on the call, and read the whole directory before yielding anything:
        // an error half-way must fail the listing, never return part of it.
        string physical = ToPhysical(directoryPath);
        string storagePath = StorageLocation.NormalizePath(directoryPath);
        return Yield(ReadDirectory(storagePath, physical, cancellationToken), cancellationToken);
    }

    public Task<StorageEntry?> StatAsync(string path, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        string physical = ToPhysical(path);
        var info = new FileInfo(physical);
        if (info.Exists)
            return Task.FromResult<StorageEntry?>(new StorageEntry(StoragePaths.FileName(StorageLocation.NormalizePath(path)),
                StorageEntryKind.File, info.Length, new DateTimeOffset(info.LastWriteTimeUtc)));
        var dir = new DirectoryInfo(physical);
        if (dir.Exists)
            return Task.FromResult<StorageEntry?>(new StorageEntry(StoragePaths.FileName(StorageLocation.NormalizePath(path)),
                StorageEntryKind.Directory, null, new DateTimeOffset(dir.LastWriteTimeUtc)));
        return Task.FromResult<StorageEntry?>(null);
    }

    public async Task<RangeReadResult> ReadRangeAsync(string path, long offset, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        string physical = ToPhysical(path);
        using var handle = OpenFile(physical, path);
        long length = RandomAccess.GetLength(handle);
        int total = 0;
        while (total < buffer.Length && offset + total < length)
        {
            int read = await RandomAccess.ReadAsync(handle, buffer[total..], offset + total, cancellationToken).ConfigureAwait(false);
            if (read == 0)
                break;
            total += read;
        }
        return new RangeReadResult(total, length);
    }

    public Task<Stream> OpenReadAsync(string path, long offset, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        cancellationToken.ThrowIfCancellationRequested();
        string physical = ToPhysical(path);
        var handle = OpenFile(physical, path);
        var stream = new FileStream(handle, FileAccess.Read, bufferSize: 0, isAsync: true);
        stream.Seek(offset, SeekOrigin.Begin);
        return Task.FromResult<Stream>(stream);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private static async IAsyncEnumerable<StorageEntry> Yield(List<StorageEntry> entries,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var entry in entries)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return entry;
        }
        await Task.CompletedTask.ConfigureAwait(false);
    }

    private List<StorageEntry> ReadDirectory(string storagePath, string physical, CancellationToken cancellationToken)
    {
        var entries = new List<StorageEntry>();
        try
        {
            var directory = new DirectoryInfo(physical);
            if (!directory.Exists)
                throw new StorageException(File.Exists(physical) ? StorageErrorKind.Invalid : StorageErrorKind.NotFound,
                    File.Exists(physical) ? $"\"{storagePath}\" is a file, not a directory." : $"The directory \"{storagePath}\" does not exist.");
            foreach (var info in directory.EnumerateFileSystemInfos("*", ListOptions))
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (entries.Count >= MaxEntriesPerDirectory)
                    throw new StorageException(StorageErrorKind.Protocol,
                        $"The directory \"{storagePath}\" has more than {MaxEntriesPerDirectory} entries.");
                entries.Add(Describe(physical, info));
            }
        }
        catch (UnauthorizedAccessException e)
        {
            throw new StorageException(StorageErrorKind.Authentication, $"Access to the directory \"{storagePath}\" is denied.", e);
        }
        catch (DirectoryNotFoundException e)
        {
            throw new StorageException(StorageErrorKind.NotFound, $"The directory \"{storagePath}\" does not exist.", e);
        }
        catch (IOException e)
        {
            throw new StorageException(StorageErrorKind.Transient, $"Listing \"{storagePath}\" failed: {e.Message}", e);
        }
        return entries;
    }

    private StorageEntry Describe(string physicalDirectory, FileSystemInfo info)
    {
        if (info.LinkTarget is not null)
        {
            // Report what the link leads to only when it stays inside the folder; a loop or an outside target is a bare link.
            long? size = null;
            DateTimeOffset? modified = null;
            try
            {
                string target = LocalPathResolver.Resolve(StoragePaths.Combine(physicalDirectory, info.Name));
                if (LocalPathResolver.IsWithin(target, _physicalRoot))
                {
                    var file = new FileInfo(target);
                    if (file.Exists)
                    {
                        size = file.Length;
                        modified = new DateTimeOffset(file.LastWriteTimeUtc);
                    }
                }
            }
            catch (StorageException)
            {
                // Symlink loop: listed as a link without size.
            }
            return new StorageEntry(info.Name, StorageEntryKind.Link, size, modified);
        }
        if (info is DirectoryInfo)
            return new StorageEntry(info.Name, StorageEntryKind.Directory, null, new DateTimeOffset(info.LastWriteTimeUtc));
        return new StorageEntry(info.Name, StorageEntryKind.File, ((FileInfo)info).Length, new DateTimeOffset(info.LastWriteTimeUtc));
    }

    /// <summary>Maps a storage path to the physical path it leads to, refusing anything outside the declared folder.</summary>
    private string ToPhysical(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string normalized = StorageLocation.NormalizePath(path);
        if (!LocalPathResolver.IsWithin(normalized, _declaredRoot))
            throw new StorageException(StorageErrorKind.Invalid, $"\"{normalized}\" is outside the storage folder \"{_declaredRoot}\".");
        // Rewrite the declared prefix to the physical root, then follow the links below it and check where they lead.
        string relative = normalized.Length > _declaredRoot.Length ? normalized[_declaredRoot.Length..].TrimStart('/') : "";
        string physical = LocalPathResolver.Resolve(relative.Length == 0 ? _physicalRoot : StoragePaths.Combine(_physicalRoot, relative));
        if (!LocalPathResolver.IsWithin(physical, _physicalRoot))
            throw new StorageException(StorageErrorKind.Invalid, $"\"{normalized}\" leads outside the storage folder through a symbolic link.");
        return physical;
    }

    private static Microsoft.Win32.SafeHandles.SafeFileHandle OpenFile(string physical, string path)
    {
        if (Directory.Exists(physical))
            throw new StorageException(StorageErrorKind.Invalid, $"\"{path}\" is a directory, not a file.");
        try
        {
            return File.OpenHandle(physical, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.Asynchronous);
        }
        catch (FileNotFoundException e)
        {
            throw new StorageException(StorageErrorKind.NotFound, $"The file \"{path}\" does not exist.", e);
        }
        catch (DirectoryNotFoundException e)
        {
            throw new StorageException(StorageErrorKind.NotFound, $"The file \"{path}\" does not exist.", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new StorageException(StorageErrorKind.Authentication, $"Access to \"{path}\" is denied.", e);
        }
        catch (IOException e)
        {
            throw new StorageException(StorageErrorKind.Transient, $"Opening \"{path}\" failed: {e.Message}", e);
        }
    }
}
