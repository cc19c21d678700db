using Npgsql;
using NpgsqlTypes;
using Pcrs.Grains.Interfaces.Scanning;

namespace Pcrs.Grains.Catalogue;

/// <summary>Listings: a directory's children, their upsert and removal, and the directory's scan state.</summary>
public sealed partial class PostgresCatalogue
{
    public async Task<IReadOnlyList<KnownEntry>> GetChildrenAsync(string storageKey, string directoryPath, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT e.path, e.kind, e.size, e.modified_at, e.etag, t.path IS NOT NULL, t.size, t.modified_at, t.etag, t.sidecar_signature, t.error IS NOT NULL,
                   t.listing_stamp, t.facts_source
            FROM pcrs_entries e
            LEFT JOIN pcrs_tiles t ON t.storage_key = e.storage_key AND t.path = e.path
            WHERE e.storage_key = $1 AND e.parent_path = $2
            """);
        command.Parameters.AddWithValue(storageKey);
        command.Parameters.AddWithValue(directoryPath);
        var rows = new List<KnownEntry>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var entry = new EntryRow(reader.GetString(0), reader.GetChar(1) == 'd' ? EntryKind.Directory : EntryKind.File,
                NullableLong(reader, 2), NullableTime(reader, 3), NullableString(reader, 4));
            TileStamp? stamp = reader.GetBoolean(5)
                ? new TileStamp(NullableLong(reader, 6), NullableTime(reader, 7), NullableString(reader, 8), reader.GetString(9), reader.GetBoolean(10),
                    NullableString(reader, 11), NullableString(reader, 12))
                : null;
            rows.Add(new KnownEntry(entry, stamp));
        }
        return rows;
    }

    public async Task<int> ApplyListingAsync(string storageKey, string directoryPath, IReadOnlyList<EntryRow> listed, long scanNumber, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        for (int start = 0; start < listed.Count; start += EntryChunk)
            await UpsertEntriesAsync(connection, transaction, storageKey, directoryPath, listed, start, Math.Min(EntryChunk, listed.Count - start),
                scanNumber, markUnchanged: false, cancellationToken);

        // What this listing did not show any more: a file goes with its tile, a directory with its whole subtree.
        // Unchanged rows are not rewritten above (an unchanged rescan would otherwise rewrite every entry of the
        // storage), so what vanished is found against the listed names, not by an older last_seen_scan. NOT IN over the
        // unnested names runs as a hashed subplan (one hash probe per row); NOT EXISTS against unnest was planned as a
        // nested loop (rows x names comparisons: 11 ms instead of 0.2 ms for a directory of 250 files).
        var removed = new List<(string Path, bool IsDirectory)>();
        await using (var delete = new NpgsqlCommand("""
            DELETE FROM pcrs_entries e WHERE e.storage_key = $1 AND e.parent_path = $2
                AND e.path NOT IN (SELECT unnest($3::text[]))
            RETURNING e.path, e.kind
            """, connection, transaction))
        {
            delete.Parameters.AddWithValue(storageKey);
            delete.Parameters.AddWithValue(directoryPath);
            delete.Parameters.AddWithValue(listed.Select(e => e.Path).ToArray());
            await using var reader = await delete.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                removed.Add((reader.GetString(0), reader.GetChar(1) == 'd'));
        }
        await DeleteWhatRemovedEntriesHeldAsync(connection, transaction, storageKey, removed, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return removed.Count;
    }

    /// <summary>
    /// Upserts <paramref name="count"/> listed entries from <paramref name="start"/> in one statement. With
    /// <paramref name="markUnchanged"/>, unchanged rows get this scan's last_seen_scan too (a streamed listing finds what
    /// vanished by an older last_seen_scan); without, they are not rewritten.
    /// </summary>
    private static async Task UpsertEntriesAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string storageKey, string directoryPath,
        IReadOnlyList<EntryRow> listed, int start, int count, long scanNumber, bool markUnchanged, CancellationToken cancellationToken)
    {
        var paths = new string[count];
        var kinds = new string[count];
        var sizes = new long?[count];
        var times = new DateTime?[count];
        var etags = new string?[count];
        for (int i = 0; i < count; i++)
        {
            var entry = listed[start + i];
            paths[i] = entry.Path;
            kinds[i] = entry.Kind == EntryKind.Directory ? "d" : "f";
            sizes[i] = entry.Size;
            times[i] = entry.ModifiedAt?.UtcDateTime;
            etags[i] = entry.ETag;
        }
        string unchanged = markUnchanged ? " OR pcrs_entries.last_seen_scan IS DISTINCT FROM EXCLUDED.last_seen_scan" : "";
        await using var upsert = new NpgsqlCommand($"""
            INSERT INTO pcrs_entries (storage_key, path, parent_path, kind, size, modified_at, etag, last_seen_scan)
            SELECT $1, u.path, $2, u.kind, u.size, u.modified_at, u.etag, $3
            FROM unnest($4::text[], $5::text[], $6::bigint[], $7::timestamptz[], $8::text[]) AS u(path, kind, size, modified_at, etag)
            ON CONFLICT (storage_key, path) DO UPDATE SET parent_path = EXCLUDED.parent_path, kind = EXCLUDED.kind,
                size = EXCLUDED.size, modified_at = EXCLUDED.modified_at, etag = EXCLUDED.etag, last_seen_scan = EXCLUDED.last_seen_scan
            WHERE (pcrs_entries.parent_path, pcrs_entries.kind, pcrs_entries.size, pcrs_entries.modified_at, pcrs_entries.etag)
                IS DISTINCT FROM (EXCLUDED.parent_path, EXCLUDED.kind, EXCLUDED.size, EXCLUDED.modified_at, EXCLUDED.etag){unchanged}
            """, connection, transaction);
        upsert.Parameters.AddWithValue(storageKey);
        upsert.Parameters.AddWithValue(directoryPath);
        upsert.Parameters.AddWithValue(scanNumber);
        upsert.Parameters.AddWithValue(paths);
        upsert.Parameters.AddWithValue(kinds);
        upsert.Parameters.AddWithValue(sizes);
        upsert.Parameters.Add(new NpgsqlParameter { Value = times, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz });
        upsert.Parameters.Add(new NpgsqlParameter { Value = etags, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        await upsert.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Deletes the tiles of removed entries and, for removed directories, their whole subtree.</summary>
    private static async Task DeleteWhatRemovedEntriesHeldAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string storageKey,
        List<(string Path, bool IsDirectory)> removed, CancellationToken cancellationToken)
    {
        foreach (var (path, isDirectory) in removed)
        {
            var batch = new NpgsqlBatch(connection, transaction);
            AddBatch(batch, "DELETE FROM pcrs_tiles WHERE storage_key = $1 AND path = $2", storageKey, path);
            if (isDirectory)
            {
                var (from, to) = CataloguePaths.Descendants(path);
                AddBatch(batch, "DELETE FROM pcrs_entries WHERE storage_key = $1 AND path >= $2 AND path < $3", storageKey, from, to);
                AddBatch(batch, "DELETE FROM pcrs_tiles WHERE storage_key = $1 AND path >= $2 AND path < $3", storageKey, from, to);
                AddBatch(batch, "DELETE FROM pcrs_directories WHERE storage_key = $1 AND (path = $2 OR (path >= $3 AND path < $4))", storageKey, path, from, to);
            }
            await using (batch)
                await batch.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    public async Task<DirectoryStateRow?> GetDirectoryStateAsync(string storageKey, string directoryPath, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT completed_scan, sub_directories, sub_files, sub_data_files, sub_total_bytes, sub_errors, sub_failed_listings, first_error,
                   listing_failed, listing_error, sub_unreadable_listings, sub_bounded_listings
            FROM pcrs_directories WHERE storage_key = $1 AND path = $2
            """);
        command.Parameters.AddWithValue(storageKey);
        command.Parameters.AddWithValue(directoryPath);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
            return null;
        return new DirectoryStateRow(reader.GetInt64(0),
            new SubtreeReport(reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5), reader.GetInt64(6), NullableString(reader, 7),
                reader.GetInt64(10), reader.GetInt64(11)),
            reader.GetBoolean(8), NullableString(reader, 9));
    }

    public async Task CompleteDirectoryAsync(string storageKey, string directoryPath, long scanNumber, SubtreeReport counts, string? listingError, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("""
            INSERT INTO pcrs_directories (storage_key, path, completed_scan, sub_directories, sub_files, sub_data_files, sub_total_bytes,
                sub_errors, sub_failed_listings, first_error, listing_failed, listing_error, listed_at, sub_unreadable_listings, sub_bounded_listings)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, now(), $13, $14)
            ON CONFLICT (storage_key, path) DO UPDATE SET completed_scan = EXCLUDED.completed_scan, sub_directories = EXCLUDED.sub_directories,
                sub_files = EXCLUDED.sub_files, sub_data_files = EXCLUDED.sub_data_files, sub_total_bytes = EXCLUDED.sub_total_bytes,
                sub_errors = EXCLUDED.sub_errors, sub_failed_listings = EXCLUDED.sub_failed_listings, first_error = EXCLUDED.first_error,
                listing_failed = EXCLUDED.listing_failed, listing_error = EXCLUDED.listing_error, listed_at = EXCLUDED.listed_at,
                sub_unreadable_listings = EXCLUDED.sub_unreadable_listings, sub_bounded_listings = EXCLUDED.sub_bounded_listings
            """);
        var p = command.Parameters;
        p.AddWithValue(storageKey);
        p.AddWithValue(directoryPath);
        p.AddWithValue(scanNumber);
        p.AddWithValue(counts.Directories);
        p.AddWithValue(counts.Files);
        p.AddWithValue(counts.DataFiles);
        p.AddWithValue(counts.TotalBytes);
        p.AddWithValue(counts.Errors);
        p.AddWithValue(counts.FailedListings);
        p.Add(OrNull(counts.FirstError));
        p.AddWithValue(listingError is not null);
        p.Add(OrNull(listingError));
        p.AddWithValue(counts.UnreadableListings);
        p.AddWithValue(counts.BoundedListings);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
