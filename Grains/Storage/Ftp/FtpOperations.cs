using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Pcrs.Grains.Storage.Ftp;

/// <summary>The storage operations, each on one rented control connection. Retries and pooling are the client's job.</summary>
internal static class FtpOperations
{
    /// <summary>Bound on one listing line: a name is at most a few hundred bytes, the rest a few columns.</summary>
    private const int MaxListingLineBytes = 16 * 1024;

    public static async Task<List<StorageEntry>> ListAsync(FtpControlConnection connection, string path, FtpEndpoint endpoint, FtpOperationTimer timer)
    {
        string what = $"Listing {path}";
        if (connection.Features.MachineListing && !endpoint.Traits.MlsdUnusable)
        {
            FtpTransfer? transfer = null;
            try
            {
                // MLSD takes the path as is (no options, no globbing), and its lines are unambiguous.
                transfer = await BeginWithLatin1RetryAsync(connection, "MLSD", path, 0, what, timer.Token).ConfigureAwait(false);
            }
            catch (StorageException ex) when (ex.Kind == StorageErrorKind.Protocol && connection.IsUsable)
            {
                endpoint.Logger.LogInformation("{Server} advertises MLSD but refused it ({Error}); using LIST", endpoint.Display, ex.Message);
                endpoint.Traits.MlsdUnusable = true;
            }
            if (transfer is not null)
                return await ReadListingAsync(transfer, machine: true, what, endpoint, timer).ConfigureAwait(false);
        }

        // LIST's argument is read as options ("-a") or a glob by some servers (vsftpd), and a missing directory may list as
        // empty on others: change into the directory instead (a missing one fails with 550) and list it with no argument.
        // EPSV leaves with CWD (one round trip for both); if CWD fails, the next command skips EPSV's reply.
        var cwd = await ExecutePathCommandAsync(connection, "CWD", path, timer.Token, passiveAhead: true).ConfigureAwait(false);
        if (!cwd.IsCompletion)
            throw FtpErrors.FromReply(cwd, what);
        var list = await connection.BeginTransferAsync("LIST", 0, latin1: false, what, timer.Token).ConfigureAwait(false);
        return await ReadListingAsync(list, machine: false, what, endpoint, timer).ConfigureAwait(false);
    }

    private static async Task<List<StorageEntry>> ReadListingAsync(FtpTransfer transfer, bool machine, string what, FtpEndpoint endpoint, FtpOperationTimer timer)
    {
        await using var _ = transfer;
        var entries = new List<StorageEntry>();
        var reader = new FtpLineReader(transfer.Data, MaxListingLineBytes);
        var now = endpoint.Settings.Time.GetUtcNow();
        while (await reader.ReadLineAsync(timer.Token).ConfigureAwait(false) is { } bytes)
        {
            timer.Progress();
            string line = FtpText.Decode(bytes.Span);
            var parsed = machine ? FtpMlsdParser.ParseLine(line) : FtpListParser.ParseLine(line, now);
            if (parsed.Kind == FtpListLineKind.Unrecognized)
            {
                // Dropping a line would make its file look deleted; failing keeps the previous scan's view instead.
                throw new StorageException(StorageErrorKind.Protocol, $"{what}: unrecognised listing line '{FtpReplyReader.Truncate(line)}'.");
            }
            if (parsed.Entry is not { } entry)
                continue;
            if (entry.Name.Contains('/') || entry.Name.Contains('\0'))
            {
                endpoint.Logger.LogWarning("{What}: ignoring the impossible name '{Name}'", what, FtpReplyReader.Truncate(entry.Name));
                continue;
            }
            if (entries.Count >= endpoint.Settings.MaxListingEntries)
                throw new StorageException(StorageErrorKind.Protocol, $"{what}: more than {endpoint.Settings.MaxListingEntries} entries.");
            entries.Add(entry);
        }
        await transfer.CompleteAsync(timer.Token).ConfigureAwait(false);
        return entries;
    }

    public static async Task<StorageEntry?> StatAsync(FtpControlConnection connection, string path, FtpOperationTimer timer)
    {
        if (path == "/")
            return new StorageEntry("/", StorageEntryKind.Directory, null, null, Source: StorageFactsSource.FtpMlsd);
        string name = StoragePaths.FileName(path);
        var token = timer.Token;

        if (connection.Features.Has("MLST"))
        {
            var mlst = await ExecutePathCommandAsync(connection, "MLST", path, token).ConfigureAwait(false);
            if (mlst.Code == 250)
            {
                // "250-Listing path" / " type=file;size=...; /full/path" / "250 End": the facts line starts with a space.
                var factsLine = mlst.Lines.Skip(1).FirstOrDefault(l => l.StartsWith(' '))?.TrimStart();
                int space = factsLine?.IndexOf(' ') ?? -1;
                var facts = FtpMlsdParser.ParseFacts(space > 0 ? factsLine.AsSpan(0, space) : factsLine.AsSpan());
                if (facts.Kind is { } kind)
                    return new StorageEntry(name, kind, kind == StorageEntryKind.Directory ? null : facts.Size, facts.Modified, Source: StorageFactsSource.FtpMlsd);
            }
            else if (mlst.Code == 550)
            {
                return null;
            }
            else if (!(mlst.Code is 500 or 501 or 502 or 504))
            {
                throw FtpErrors.FromReply(mlst, $"Reading the attributes of {path}");
            }
        }

        var size = await ExecutePathCommandAsync(connection, "SIZE", path, token).ConfigureAwait(false);
        if (size.Code == 213 && long.TryParse(size.Message.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out long length))
        {
            var mdtm = await ExecutePathCommandAsync(connection, "MDTM", path, token).ConfigureAwait(false);
            var modified = mdtm.Code == 213 ? FtpMlsdParser.ParseTimeVal(mdtm.Message) : null;
            return new StorageEntry(name, StorageEntryKind.File, length, modified, Source: StorageFactsSource.FtpSizeAndMdtm);
        }
        if (size.Code is 421 or (>= 400 and < 500))
            throw FtpErrors.FromReply(size, $"Reading the size of {path}");

        // SIZE fails on directories (and on missing paths): a directory is a path one can change into.
        var cwd = await ExecutePathCommandAsync(connection, "CWD", path, token).ConfigureAwait(false);
        if (cwd.IsCompletion)
            return new StorageEntry(name, StorageEntryKind.Directory, null, null, Source: StorageFactsSource.FtpList);
        if (cwd.Code is 421 or (>= 400 and < 500))
            throw FtpErrors.FromReply(cwd, $"Reading the attributes of {path}");
        return null;
    }

    /// <summary>REST + RETR, read exactly what fits in the buffer, then abort the rest of the transfer.</summary>
    public static async Task<RangeReadResult> ReadRangeAsync(FtpControlConnection connection, string path, long offset, Memory<byte> buffer, FtpOperationTimer timer)
    {
        if (buffer.Length == 0)
            return new RangeReadResult(0, null);
        string what = $"Reading {path} at {offset}";
        var transfer = await BeginWithLatin1RetryAsync(connection, "RETR", path, offset, what, timer.Token).ConfigureAwait(false);
        await using var _ = transfer;
        int read = 0;
        while (read < buffer.Length)
        {
            int n = await transfer.Data.ReadAsync(buffer[read..], timer.Token).ConfigureAwait(false);
            if (n == 0)
                break;
            read += n;
            timer.Progress();
        }
        if (read < buffer.Length)
        {
            await transfer.CompleteAsync(timer.Token).ConfigureAwait(false);
            // The file ended inside the range: its length is known (unless REST went past the end, where nothing is).
            return new RangeReadResult(read, read > 0 || offset == 0 ? offset + read : null);
        }
        await transfer.AbortAsync(timer.Token).ConfigureAwait(false);
        return new RangeReadResult(read, null);
    }

    /// <summary>
    /// Starts a transfer for a path command; when the UTF-8 name is not found and the path could be Latin-1 (a name
    /// read from a non-UTF-8 listing), tries again with Latin-1 bytes.
    /// </summary>
    public static async Task<FtpTransfer> BeginWithLatin1RetryAsync(FtpControlConnection connection, string verb, string path, long offset,
        string what, CancellationToken cancellationToken)
    {
        try
        {
            return await connection.BeginTransferAsync(verb + " " + path, offset, latin1: false, what, cancellationToken).ConfigureAwait(false);
        }
        catch (StorageException ex) when (ex.Kind == StorageErrorKind.NotFound && connection.IsUsable && FtpText.HasLatin1Alternative(path))
        {
            return await connection.BeginTransferAsync(verb + " " + path, offset, latin1: true, what, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<FtpReply> ExecutePathCommandAsync(FtpControlConnection connection, string verb, string path,
        CancellationToken cancellationToken, bool passiveAhead = false)
    {
        var reply = await Execute(verb + " " + path, latin1: false).ConfigureAwait(false);
        if (reply.Code == 550 && FtpText.HasLatin1Alternative(path))
            reply = await Execute(verb + " " + path, latin1: true).ConfigureAwait(false);
        return reply;

        Task<FtpReply> Execute(string command, bool latin1) => passiveAhead
            ? connection.ExecuteWithPassiveAheadAsync(command, cancellationToken, latin1)
            : connection.ExecuteAsync(command, cancellationToken, latin1);
    }
}
