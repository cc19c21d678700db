using System.Collections.Concurrent;
using Pcrs.Grains.Catalogue;

namespace Pcrs.WebFront.Metadata;

/// <summary>
/// How far the server is in building a deliverable's export (GeoPackage, Shapefile and STAC ZIPs, the tile index,
/// the ISO record): the page that asked sends a random id in <see cref="Header"/> and polls
/// <c>GET api/exports/progress/{id}</c> for the tiles written so far, since a file built in a temporary file sends
/// its first byte only once complete (10-30 s at 100,000 tiles). An entry lives as long as its request: it is made
/// only after the route allowed the caller, holds counts and nothing of the data, and is removed when the response
/// ends (sent, failed or cancelled). At most <see cref="MaxEntries"/> at once; past that, downloads just go untracked.
/// </summary>
public sealed class ExportProgress
{
    public const string Header = "X-Progress-Id";
    public const int MaxEntries = 1024;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>The tiles read for one export so far, against those the writer will read (tiles × passes).</summary>
    public sealed class Entry(long expected)
    {
        private long _written;
        public long Expected { get; } = expected;
        public long Written => Interlocked.Read(ref _written);
        internal void Add() => Interlocked.Increment(ref _written);
    }

    public const string IdRule = "16 to 64 letters, digits or hyphens (a UUID fits).";

    /// <summary>Whether a progress id is well formed: 16 to 64 letters, digits or hyphens (a UUID fits).</summary>
    public static bool IsValidId(string? id) =>
        id is { Length: >= 16 and <= 64 } && id.All(c => char.IsAsciiLetterOrDigit(c) || c == '-');

    /// <summary>
    /// The catalogue to build the export from: when the request carries a progress id, one that counts the tiles it
    /// hands out under that id until the response ends; otherwise the catalogue itself.
    /// </summary>
    public ITileMetadataReader Track(HttpContext http, ITileMetadataReader catalogue, long expectedTiles)
    {
        var id = http.Request.Headers[Header].ToString();
        if (!IsValidId(id) || _entries.Count >= MaxEntries)
            return catalogue;
        var entry = new Entry(expectedTiles);
        if (!_entries.TryAdd(id, entry))
            return catalogue;
        http.Response.RegisterForDispose(new Removal(_entries, id, entry));
        return new CountingTileReader(catalogue, entry);
    }

    public Entry? Find(string id) => _entries.GetValueOrDefault(id);

    /// <summary>A malformed <see cref="Header"/> is a 400 naming it, before the route does any work.</summary>
    public sealed class IdFilter : IEndpointFilter
    {
        public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
        {
            var headers = context.HttpContext.Request.Headers;
            if (headers.ContainsKey(Header) && !IsValidId(headers[Header].ToString()))
                return ValueTask.FromResult<object?>(TypedResults.ValidationProblem(
                    new Dictionary<string, string[]>(StringComparer.Ordinal) { [Header] = [IdRule] }));
            return next(context);
        }
    }

    private sealed class Removal(ConcurrentDictionary<string, Entry> entries, string id, Entry entry) : IDisposable
    {
        public void Dispose() => entries.TryRemove(new KeyValuePair<string, Entry>(id, entry));
    }

    /// <summary>The catalogue, counting every tile <see cref="ListAsync"/> hands to the export's writer.</summary>
    private sealed class CountingTileReader(ITileMetadataReader inner, Entry entry) : ITileMetadataReader
    {
        public async IAsyncEnumerable<TileRow> ListAsync(string storageKey, string startPath, TileQuery query,
            [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await foreach (var tile in inner.ListAsync(storageKey, startPath, query, cancellationToken))
            {
                entry.Add();
                yield return tile;
            }
        }

        public Task<long> CountAsync(string storageKey, string startPath, TileQuery query, CancellationToken cancellationToken = default) =>
            inner.CountAsync(storageKey, startPath, query, cancellationToken);

        public Task<(DateTimeOffset? First, DateTimeOffset? Last)> GetModifiedRangeAsync(string storageKey, string startPath, CancellationToken cancellationToken = default) =>
            inner.GetModifiedRangeAsync(storageKey, startPath, cancellationToken);

        public Task<IReadOnlyList<ScanRow>> ListRecentScansAsync(string storageKey, int limit, CancellationToken cancellationToken = default) =>
            inner.ListRecentScansAsync(storageKey, limit, cancellationToken);

        public Task<CatalogueVersion> GetVersionAsync(CancellationToken cancellationToken = default) => inner.GetVersionAsync(cancellationToken);
    }
}
