using Pcrs.Grains.Catalogue;

namespace Pcrs.WebFront.Downloads;

/// <summary>
/// The right of one download in flight (a file or a whole archive) to go on. It is asked again at most every
/// <see cref="CheckInterval"/> while bytes are read from the storage: a declaration revoked (from any web front of the
/// cluster), replaced by another storage, no longer proven, or whose downloads were withdrawn cuts what is streaming within
/// seconds. Reads go through <see cref="Guard"/>, so single files and every entry of an archive share one rule.
/// </summary>
public sealed class DownloadPermission(Func<CancellationToken, Task<bool>> stillAllowed)
{
    /// <summary>How often a download in flight checks that its storage is still declared and downloadable.</summary>
    public static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(1);

    private long _nextCheck = Environment.TickCount64 + (long)CheckInterval.TotalMilliseconds;

    /// <summary>
    /// The permission of deliverable <paramref name="did"/>'s declaration on <paramref name="storageKey"/>: true while it
    /// is there, proven, downloadable and on the same storage. A catalogue that cannot be read says nothing (the download
    /// goes on): an outage of the database must not cut every download.
    /// </summary>
    public static DownloadPermission ForDeclaration(ICatalogueReader catalogue, Guid did, string storageKey) =>
        new(async cancellationToken =>
        {
            try
            {
                return await catalogue.GetDeclarationAsync(did.ToString(), cancellationToken) is { IsProven: true, DownloadAllowed: true } now
                    && string.Equals(now.StorageKey, storageKey, StringComparison.Ordinal);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return true;
            }
        });

    /// <summary>Throws <see cref="DownloadWithdrawnException"/> when the check is due and the download is no longer allowed.</summary>
    public async ValueTask ThrowIfWithdrawnAsync(CancellationToken cancellationToken)
    {
        long now = Environment.TickCount64;
        if (now < Interlocked.Read(ref _nextCheck))
            return;
        Interlocked.Exchange(ref _nextCheck, now + (long)CheckInterval.TotalMilliseconds);
        if (!await stillAllowed(cancellationToken))
            throw new DownloadWithdrawnException();
    }

    /// <summary>A read-only view of <paramref name="source"/> that checks this permission before its reads; disposing it disposes the source.</summary>
    public Stream Guard(Stream source) => new GuardedStream(source, this);

    private sealed class GuardedStream(Stream inner, DownloadPermission permission) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await permission.ThrowIfWithdrawnAsync(cancellationToken);
            return await inner.ReadAsync(buffer, cancellationToken);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        // Downloads only read asynchronously; a synchronous read would block a thread on the storage.
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                inner.Dispose();
            base.Dispose(disposing);
        }

        public override async ValueTask DisposeAsync()
        {
            await inner.DisposeAsync();
            await base.DisposeAsync();
        }
    }
}

/// <summary>A download stopped because its storage was revoked or its downloads withdrawn while it streamed.</summary>
public sealed class DownloadWithdrawnException()
    : IOException("The storage was revoked or its downloads withdrawn while the download streamed.");
