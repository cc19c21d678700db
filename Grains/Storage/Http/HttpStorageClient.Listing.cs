using System.Net.Http.Headers;
using System.Runtime.CompilerServices;

namespace Pcrs.Grains.Storage.Http;

/// <summary>Directory listings: the page read within its bounds, parsed, and directories the page did not mark found.</summary>
public sealed partial class HttpStorageClient
{
    /// <remarks>
    /// The page is fetched whole (within <see cref="MaxListingBytes"/>), so the connection goes back to the pool at once,
    /// but it is parsed as the entries are asked for: what is held is its bytes (about 38 bytes an entry on an nginx page)
    /// and a few entries, never a document of it nor the list of its entries (1,844 MB of heap for 1,000,000 entries when
    /// the page was loaded into an HTML document; tests/Benchmarks/LargeDirectory). Reading the page from the network
    /// at the pace of its consumer would hold a connection (and the requests pipelined behind it) for as long as the
    /// catalogue takes to write the directory, minutes for a large one, past servers' send timeouts.
    /// </remarks>
    public async IAsyncEnumerable<StorageEntry> ListAsync(string directoryPath, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string path = StorageLocation.NormalizePath(directoryPath);
        var uri = ToUri(path, directory: true);
        var page = await WithRetriesAsync($"listing \"{path}\"", async token =>
        {
            if (await _pipeline.GetPageAsync(uri, path, (int)Math.Min(MaxListingBytes, Array.MaxLength), token).ConfigureAwait(false) is var (head, body, length))
            {
                CheckListingEncoding(head.ContentEncoding, path);
                var type = head.ContentType is not null && MediaTypeHeaderValue.TryParse(head.ContentType, out var parsed) ? parsed : null;
                return new ListingPage(body, length, type?.MediaType, type?.CharSet, path, uri);
            }
            using var response = await SendAsync(HttpMethod.Get, uri, null, token).ConfigureAwait(false);
            EnsureSuccess(response, path, directory: true);
            return await ReadListingAsync(response, path, token).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
        var unmarked = new UnmarkedDirectories();
        foreach (var entry in HttpListingParser.Read(page, MaxEntries))
        {
            cancellationToken.ThrowIfCancellationRequested();
            foreach (var ready in unmarked.Take(entry))
                yield return ready;
        }
        foreach (var ready in await unmarked.FinishAsync(name => StatAsync(StoragePaths.Combine(path, name), cancellationToken)).ConfigureAwait(false))
            yield return ready;
    }

    /// <summary>Most names checked by <see cref="UnmarkedDirectories"/> in one listing.</summary>
    internal const int MaxDirectoryProbes = 1000;

    /// <summary>
    /// Some servers (mini_httpd) link sub-directories without the trailing '/' that marks them everywhere else. When a
    /// page marks no entry as a directory, each name without an extension (data files always have one) is asked for, the
    /// first <see cref="MaxDirectoryProbes"/> of them: a server redirects a directory to its '/' form, which
    /// <see cref="StatAsync"/> reports as a directory. Whether a page marks none is known only at its end, so entries
    /// from the first such name on are held back, in page order, until a marked directory shows up or the page ends; past
    /// <see cref="MaxHeld"/> of them only the names to ask about stay held (handed out after the others).
    /// </summary>
    private sealed class UnmarkedDirectories
    {
        /// <summary>Entries held back in page order; a page of a million entries then holds only the names to ask about.</summary>
        internal const int MaxHeld = 10_000;

        private readonly List<StorageEntry> _held = [];
        private bool _marked, _overflowed;
        private int _candidates;

        public IEnumerable<StorageEntry> Take(StorageEntry entry)
        {
            if (_marked)
                return [entry];
            if (entry.Kind == StorageEntryKind.Directory)
            {
                _marked = true;
                var all = _held.Append(entry).ToList();
                _held.Clear();
                return all;
            }
            bool candidate = IsCandidate(entry) && _candidates < MaxDirectoryProbes;
            if (!candidate && (_held.Count == 0 || _overflowed))
                return [entry];
            _candidates += candidate ? 1 : 0;
            _held.Add(entry);
            if (_held.Count <= MaxHeld || _overflowed)
                return [];
            _overflowed = true;
            var others = _held.Where(e => !IsCandidate(e)).ToList();
            _held.RemoveAll(e => !IsCandidate(e));
            return others;
        }

        public async Task<List<StorageEntry>> FinishAsync(Func<string, Task<StorageEntry?>> stat)
        {
            int probes = 0;
            for (int i = 0; i < _held.Count && !_marked && probes < MaxDirectoryProbes; i++)
            {
                var entry = _held[i];
                if (!IsCandidate(entry))
                    continue;
                probes++;
                if (await stat(entry.Name).ConfigureAwait(false) is { Kind: StorageEntryKind.Directory })
                    _held[i] = entry with { Kind = StorageEntryKind.Directory, Size = null, SizeIsExact = true };
            }
            return _held;
        }

        private static bool IsCandidate(StorageEntry entry) => entry.Kind == StorageEntryKind.File && !entry.Name.Contains('.');
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
