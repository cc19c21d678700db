using System.Net.Http.Headers;
using System.Runtime.CompilerServices;

namespace Pcrs.Grains.Storage.Http;

/// <summary>Directory listings: the page read within its bounds, parsed, and directories the page did not mark found.</summary>
public sealed partial class HttpStorageClient
{
    public async IAsyncEnumerable<StorageEntry> ListAsync(string directoryPath, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string path = StorageLocation.NormalizePath(directoryPath);
        var uri = ToUri(path, directory: true);
        var entries = await WithRetriesAsync($"listing \"{path}\"", async token =>
        {
            if (await _pipeline.GetPageAsync(uri, path, (int)Math.Min(MaxListingBytes, Array.MaxLength), token).ConfigureAwait(false) is var (head, body, length))
            {
                CheckListingEncoding(head.ContentEncoding, path);
                var type = head.ContentType is not null && MediaTypeHeaderValue.TryParse(head.ContentType, out var parsed) ? parsed : null;
                return HttpListingParser.Parse(new ListingPage(body, length, type?.MediaType, type?.CharSet, path, uri), MaxEntries);
            }
            using var response = await SendAsync(HttpMethod.Get, uri, null, token).ConfigureAwait(false);
            EnsureSuccess(response, path, directory: true);
            var page = await ReadListingAsync(response, path, token).ConfigureAwait(false);
            return HttpListingParser.Parse(page, MaxEntries);
        }, cancellationToken).ConfigureAwait(false);
        await FindUnmarkedDirectoriesAsync(path, entries, cancellationToken).ConfigureAwait(false);
        foreach (var entry in entries)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return entry;
        }
    }

    /// <summary>Most names checked by <see cref="FindUnmarkedDirectoriesAsync"/> in one listing.</summary>
    internal const int MaxDirectoryProbes = 1000;

    /// <summary>
    /// Some servers (mini_httpd) link sub-directories without the trailing '/' that marks them everywhere else. When a
    /// page marks no entry as a directory, each name without an extension (data files always have one) is asked for:
    /// a server redirects a directory to its '/' form, which <see cref="StatAsync"/> reports as a directory.
    /// </summary>
    private async Task FindUnmarkedDirectoriesAsync(string path, List<StorageEntry> entries, CancellationToken cancellationToken)
    {
        if (entries.Any(e => e.Kind == StorageEntryKind.Directory))
            return;
        int probes = 0;
        for (int i = 0; i < entries.Count && probes < MaxDirectoryProbes; i++)
        {
            var entry = entries[i];
            if (entry.Kind != StorageEntryKind.File || entry.Name.Contains('.'))
                continue;
            probes++;
            var stat = await StatAsync(StoragePaths.Combine(path, entry.Name), cancellationToken).ConfigureAwait(false);
            if (stat is { Kind: StorageEntryKind.Directory })
                entries[i] = entry with { Kind = StorageEntryKind.Directory, Size = null, SizeIsExact = true };
        }
    }

    /// <summary>A listing comes uncompressed (none was asked for): a compressed one could inflate far past the page limit.</summary>
    private static void CheckListingEncoding(string? encoding, string path)
    {
        if (string.IsNullOrEmpty(encoding))
            return;
        var codings = encoding.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (!codings.All(e => e.Equals("identity", StringComparison.OrdinalIgnoreCase)))
            throw new StorageException(StorageErrorKind.Protocol, $"The listing of \"{path}\" came compressed ({string.Join(",", codings)}) although none was asked for.");
    }

    private async Task<ListingPage> ReadListingAsync(HttpResponseMessage response, string path, CancellationToken cancellationToken)
    {
        CheckListingEncoding(string.Join(",", response.Content.Headers.ContentEncoding), path);
        long? declared = response.Content.Headers.ContentLength;
        if (declared > MaxListingBytes)
            throw new StorageException(StorageErrorKind.Protocol, $"The listing of \"{path}\" is {declared} bytes, more than the {MaxListingBytes} allowed.");

        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var buffer = new byte[(int)Math.Min(declared ?? 64 * 1024, MaxListingBytes) + 1];
        int length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                if (buffer.Length > MaxListingBytes)
                    throw new StorageException(StorageErrorKind.Protocol, $"The listing of \"{path}\" is larger than the {MaxListingBytes} bytes allowed.");
                Array.Resize(ref buffer, (int)Math.Min((long)buffer.Length * 2, MaxListingBytes + 1));
            }
            int read = await body.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
            if (read == 0)
                break;
            length += read;
        }
        if (declared is { } expected && length != expected)
            throw new StorageException(StorageErrorKind.Transient, $"The listing of \"{path}\" was cut after {length} of {expected} bytes.");

        var baseUri = response.RequestMessage?.RequestUri ?? ToUri(path, directory: true);
        return new ListingPage(buffer, length, response.Content.Headers.ContentType?.MediaType,
            response.Content.Headers.ContentType?.CharSet, path, baseUri);
    }
}
