using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Pcrs.Grains.Storage.Pooling;
using Renci.SshNet;
using Renci.SshNet.Sftp;

namespace Pcrs.Grains.Storage.Sftp;

/// <summary>
/// An SFTP storage (<c>sftp://</c>) through SSH.NET. Each pooled connection is one <see cref="SftpClient"/>; reads and
/// stats use one at a time (a read's stream holds its session), directory listings share one a few at a time
/// (<see cref="SftpSharedListings"/>). Reads open the file, seek
/// and read only the bytes asked for. Symbolic links are listed as links, with the target's size and time when the
/// target is a file, so a crawler never follows them into loops.
/// </summary>
public sealed class SftpStorageClient : IStorageClient
{
    /// <summary>Upper bound on entries in one directory, so a runaway folder cannot exhaust memory.</summary>
    internal const int MaxEntriesPerDirectory = 1_000_000;

    /// <summary>Links whose target is looked up per directory; beyond this they are listed without size.</summary>
    internal const int MaxLinkTargetsPerDirectory = 256;

    /// <summary>Directory listings in flight on one session at most (see <see cref="SftpSharedListings"/>).</summary>
    internal const int ListingsPerSession = 4;

    private readonly StorageAccessOptions _options;
    private readonly ILogger _logger;
    private readonly ConnectionPool<SftpClient> _pool;
    private readonly SftpSharedListings _listings;
    private readonly string _storage;

    public SftpStorageClient(
        StorageLocation location,
        StorageCredentials credentials,
        IConnectionLimiter limiter,
        StorageTrust trust,
        IAddressGuard guard,
        StorageAccessOptions options,
        ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(location);
        ArgumentNullException.ThrowIfNull(credentials);
        ArgumentNullException.ThrowIfNull(limiter);
        ArgumentNullException.ThrowIfNull(trust);
        ArgumentNullException.ThrowIfNull(guard);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        if (location.Protocol != StorageProtocol.Sftp)
            throw new StorageException(StorageErrorKind.Invalid, $"An SFTP client needs an sftp:// location, not {location.Family}://.");
        _options = options;
        _logger = logger;
        _storage = location.IdentityKey;
        var connector = new SftpConnector(location, credentials, trust, guard, options, logger);
        _pool = new ConnectionPool<SftpClient>(
            connector.ConnectAsync,
            limiter,
            new ConnectionPoolOptions { MaxConnections = options.MaxConnectionsPerStorage },
            isHealthy: static (client, _, _) => ValueTask.FromResult(client.IsConnected),
            close: static client =>
            {
                client.Dispose();
                return ValueTask.CompletedTask;
            },
            logger: logger);
        _listings = new SftpSharedListings(_pool, ListingsPerSession);
    }

    /// <summary>Connections this client holds open now (for tests and diagnostics).</summary>
    internal int OpenConnections => _pool.OpenCount;

    /// <summary>When and how often failed operations are tried again (tests shorten the waits).</summary>
    internal StorageRetryPolicy Retry { get; init; } = StorageRetryPolicy.Default;

    public IAsyncEnumerable<StorageEntry> ListAsync(string directoryPath, CancellationToken cancellationToken)
    {
        // Read the whole directory before yielding: a failure half-way fails the listing instead of returning part of it,
        // and a retry starts the directory over.
        string path = StorageLocation.NormalizePath(directoryPath);
        return YieldAsync(path, cancellationToken);
    }

    public Task<StorageEntry?> StatAsync(string path, CancellationToken cancellationToken)
    {
        string normalized = StorageLocation.NormalizePath(path);
        return RunAsync($"Stat of {normalized}", normalized, async (client, ct) =>
        {
            try
            {
                var attributes = await client.GetAttributesAsync(normalized, ct).ConfigureAwait(false);
                string name = normalized == "/" ? "" : StoragePaths.FileName(normalized);
                return (StorageEntry?)Describe(name, attributes.IsDirectory, attributes.IsSymbolicLink, attributes.IsRegularFile,
                    attributes.Size, attributes.LastWriteTimeUtc);
            }
            catch (Renci.SshNet.Common.SftpPathNotFoundException)
            {
                return null;
            }
        }, cancellationToken);
    }

    public Task<RangeReadResult> ReadRangeAsync(string path, long offset, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        string normalized = StorageLocation.NormalizePath(path);
        return RunAsync($"Range read of {normalized}", normalized, async (client, ct) =>
        {
            await using var stream = await client.OpenAsync(normalized, FileMode.Open, FileAccess.Read, ct).ConfigureAwait(false);
            long length = stream.Length;
            if (offset >= length || buffer.Length == 0)
                return new RangeReadResult(0, length);
            stream.Seek(offset, SeekOrigin.Begin);
            int wanted = (int)Math.Min(buffer.Length, length - offset);
            int total = 0;
            while (total < wanted)
            {
                int read = await stream.ReadAsync(buffer[total..wanted], ct).ConfigureAwait(false);
                if (read == 0)
                    break; // the file shrank since it was opened
                total += read;
            }
            return new RangeReadResult(total, length);
        }, cancellationToken);
    }

    public async Task<Stream> OpenReadAsync(string path, long offset, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        string normalized = StorageLocation.NormalizePath(path);
        return await Retry.RunAsync($"Opening {normalized}", _options.MaxAttempts, async ct =>
        {
            var rented = await _pool.RentAsync(ct).ConfigureAwait(false);
            try
            {
                var stream = await SftpErrors.GuardAsync(async () =>
                {
                    var opened = await rented.Connection.OpenAsync(normalized, FileMode.Open, FileAccess.Read, ct).ConfigureAwait(false);
                    if (offset > 0)
                        opened.Seek(offset, SeekOrigin.Begin);
                    return opened;
                }, _storage, normalized).ConfigureAwait(false);
                return (Stream)new SftpReadStream(stream, rented, _storage, normalized);
            }
            catch (Exception error)
            {
                if (error is not StorageException { Kind: StorageErrorKind.NotFound })
                    rented.MarkBroken();
                await rented.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }, _logger, cancellationToken).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => _pool.DisposeAsync();

    private async IAsyncEnumerable<StorageEntry> YieldAsync(string path, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        StoragePaths.EnsureSafe(path);
        var entries = await Retry.RunAsync($"Listing of {path}", _options.MaxAttempts,
            ct => _listings.RunAsync((client, token) => SftpErrors.GuardAsync(() => ReadDirectoryAsync(client, path, token), _storage, path), ct),
            _logger, cancellationToken).ConfigureAwait(false);
        foreach (var entry in entries)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return entry;
        }
    }

    private async Task<List<StorageEntry>> ReadDirectoryAsync(SftpClient client, string path, CancellationToken cancellationToken)
    {
        var entries = new List<StorageEntry>();
        List<(int Index, string FullPath)>? links = null;
        await foreach (var file in client.ListDirectoryAsync(path, cancellationToken).ConfigureAwait(false))
        {
            if (file.Name is "." or ".." || file.Name.Length == 0 || file.Name.Contains('/'))
                continue;
            if (entries.Count >= MaxEntriesPerDirectory)
                throw new StorageException(StorageErrorKind.Protocol,
                    $"The directory \"{path}\" on {_storage} has more than {MaxEntriesPerDirectory} entries.");
            if (file.IsSymbolicLink)
                (links ??= []).Add((entries.Count, StoragePaths.Combine(path, file.Name)));
            entries.Add(Describe(file.Name, file.IsDirectory, file.IsSymbolicLink, file.IsRegularFile, file.Length, file.LastWriteTimeUtc));
        }
        if (links is not null)
            await DescribeLinkTargetsAsync(client, entries, links, cancellationToken).ConfigureAwait(false);
        return entries;
    }

    /// <summary>
    /// Looks up where links lead (SFTP STAT follows them; the server reports a loop or a dangling link as an error). A link
    /// to a file gets the file's size and time; anything else stays a bare link. Bounded per directory.
    /// </summary>
    private async Task DescribeLinkTargetsAsync(SftpClient client, List<StorageEntry> entries, List<(int Index, string FullPath)> links,
        CancellationToken cancellationToken)
    {
        foreach (var (index, fullPath) in links.Take(MaxLinkTargetsPerDirectory))
        {
            try
            {
                var target = await client.GetAttributesAsync(fullPath, cancellationToken).ConfigureAwait(false);
                if (target.IsRegularFile)
                    entries[index] = entries[index] with { Size = target.Size, LastModified = ToUtc(target.LastWriteTimeUtc) };
            }
            catch (Renci.SshNet.Common.SshException error) when (error is not Renci.SshNet.Common.SshConnectionException)
            {
                // Dangling link, loop, or target outside the chroot: listed as a bare link.
                _logger.LogDebug("The link {Path} on {Storage} leads nowhere readable: {Reason}", fullPath, _storage, error.Message);
            }
        }
    }

    private static StorageEntry Describe(string name, bool isDirectory, bool isLink, bool isFile, long size, DateTime lastWriteUtc)
    {
        if (isLink)
            return new StorageEntry(name, StorageEntryKind.Link, null, ToUtc(lastWriteUtc), Source: StorageFactsSource.SftpAttributes);
        if (isDirectory)
            return new StorageEntry(name, StorageEntryKind.Directory, null, ToUtc(lastWriteUtc), Source: StorageFactsSource.SftpAttributes);
        // Sockets, pipes and devices are not tiles; they are listed as files of unknown size so nothing reads them blindly.
        return new StorageEntry(name, StorageEntryKind.File, isFile ? size : null, ToUtc(lastWriteUtc), Source: StorageFactsSource.SftpAttributes);
    }

    private static DateTimeOffset ToUtc(DateTime utc) => new(DateTime.SpecifyKind(utc, DateTimeKind.Utc));

    private Task<T> RunAsync<T>(string what, string path, Func<SftpClient, CancellationToken, Task<T>> operation, CancellationToken cancellationToken)
    {
        StoragePaths.EnsureSafe(path);
        return Retry.RunAsync(what, _options.MaxAttempts,
            ct => _pool.RunAsync((client, token) => SftpErrors.GuardAsync(() => operation(client, token), _storage, path), ct),
            _logger, cancellationToken);
    }

    /// <summary>A download stream that returns its connection to the pool when disposed, or closes it after a failure.</summary>
    private sealed class SftpReadStream(SftpFileStream inner, PooledConnection<SftpClient> rented, string storage, string path) : Stream
    {
        private bool _disposed;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            try
            {
                return inner.Read(buffer, offset, count);
            }
            catch (Exception error) when (SftpErrors.Map(error, storage, path) is { } mapped)
            {
                rented.MarkBroken();
                throw mapped;
            }
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            try
            {
                return await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception error)
            {
                rented.MarkBroken();
                if (SftpErrors.Map(error, storage, path) is { } mapped && mapped != error)
                    throw mapped;
                throw;
            }
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing && !_disposed)
            {
                _disposed = true;
                try
                {
                    inner.Dispose();
                }
                catch (Exception)
                {
                    rented.MarkBroken(); // closing the handle failed: the session is in an unknown state
                }
                rented.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
            base.Dispose(disposing);
        }

        public override async ValueTask DisposeAsync()
        {
            if (!_disposed)
            {
                _disposed = true;
                try
                {
                    await inner.DisposeAsync().ConfigureAwait(false);
                }
                catch (Exception)
                {
                    rented.MarkBroken();
                }
                await rented.DisposeAsync().ConfigureAwait(false);
            }
            GC.SuppressFinalize(this);
        }
    }
}
