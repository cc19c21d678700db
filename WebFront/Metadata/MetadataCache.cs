using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Pcrs.WebFront.Exports;

namespace Pcrs.WebFront.Metadata;

/// <summary>
/// Metadata documents computed once per version of their sources (the ETag <see cref="ExportValidatorsFilter"/> put
/// on the request: it changes when a scan ends, a project changes or a storage is revoked), not per request.
/// Concurrent requests of one version share one computation.
/// </summary>
public sealed class MetadataCache
{
    private const int MaxEntries = 256;

    private readonly ConcurrentDictionary<string, Lazy<Task<string>>> _documents = new(StringComparer.Ordinal);

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public Task<string> GetAsync(HttpContext http, string kind, Func<Task<JsonObject>> build, CancellationToken cancellationToken) =>
        GetAsync(http, kind, async () => (await build()).ToJsonString(Indented), cancellationToken);

    public async Task<string> GetAsync(HttpContext http, string kind, Func<Task<string>> build, CancellationToken cancellationToken)
    {
        if (http.Items[typeof(ExportVersion)] is not string etag)
            return await build();
        if (_documents.Count >= MaxEntries)
            _documents.Clear();
        var key = kind + " " + etag;
        var lazy = _documents.GetOrAdd(key, _ => new Lazy<Task<string>>(build));
        try
        {
            return await lazy.Value.WaitAsync(cancellationToken);
        }
        catch when (lazy.Value.IsFaulted)
        {
            _documents.TryRemove(new KeyValuePair<string, Lazy<Task<string>>>(key, lazy));
            throw;
        }
    }
}
