using System.Runtime.CompilerServices;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using Pcrs.Grains.Catalogue.Database;
using Pcrs.Grains.Interfaces.Scanning;

namespace Pcrs.Grains.Catalogue;

/// <summary>The catalogue on PostgreSQL (tables from deploy/sql/0100_catalogue.sql). Plain Npgsql; batched writes.</summary>
public sealed partial class PostgresCatalogue(NpgsqlDataSource dataSource) : ICatalogue
{
    /// <summary>Rows per multi-row statement: large enough to amortise round trips, small enough to keep statements short.</summary>
    private const int EntryChunk = 2000;

    public async Task<StorageRow?> GetStorageAsync(string storageKey, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT scheme, host, port, user_name, crawl_credential, host_key, rescan_period, scan_number, scan_roots,
                   status, scan_started_at, progress_directories, progress_files, progress_analysed, progress_unchanged,
                   progress_errors, progress_bytes_read, last_success_at, last_summary::text, last_error
            FROM pcrs_storages WHERE storage_key = $1
            """);
        command.Parameters.AddWithValue(storageKey);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
            return null;
        return new StorageRow
        {
            StorageKey = storageKey,
            Scheme = reader.GetString(0),
            Host = reader.GetString(1),
            Port = reader.GetInt32(2),
            UserName = NullableString(reader, 3),
            CrawlCredential = NullableString(reader, 4),
            HostKey = NullableString(reader, 5),
            RescanPeriod = reader.GetTimeSpan(6),
            ScanNumber = reader.GetInt64(7),
            ScanRoots = reader.GetFieldValue<string[]>(8),
            Status = ScanStatusText.Parse(reader.GetString(9)),
            ScanStartedAt = NullableTime(reader, 10),
            Progress = new ScanProgress(reader.GetInt64(11), reader.GetInt64(12), reader.GetInt64(13), reader.GetInt64(14), reader.GetInt64(15), reader.GetInt64(16)),
            LastSuccessAt = NullableTime(reader, 17),
            LastSummaryJson = NullableString(reader, 18),
            LastError = NullableString(reader, 19),
        };
    }

    public async Task SaveStorageAsync(StorageRow storage, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("""
            INSERT INTO pcrs_storages (storage_key, scheme, host, port, user_name, crawl_credential, host_key, rescan_period,
                scan_number, scan_roots, status, scan_started_at, progress_directories, progress_files, progress_analysed,
                progress_unchanged, progress_errors, progress_bytes_read, last_success_at, last_summary, last_error, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20::jsonb, $21, now())
            ON CONFLICT (storage_key) DO UPDATE SET scheme = EXCLUDED.scheme, host = EXCLUDED.host, port = EXCLUDED.port,
                user_name = EXCLUDED.user_name, crawl_credential = EXCLUDED.crawl_credential,
                host_key = coalesce(pcrs_storages.host_key, EXCLUDED.host_key), rescan_period = EXCLUDED.rescan_period, scan_number = EXCLUDED.scan_number,
                scan_roots = EXCLUDED.scan_roots, status = EXCLUDED.status, scan_started_at = EXCLUDED.scan_started_at,
                progress_directories = EXCLUDED.progress_directories, progress_files = EXCLUDED.progress_files,
                progress_analysed = EXCLUDED.progress_analysed, progress_unchanged = EXCLUDED.progress_unchanged,
                progress_errors = EXCLUDED.progress_errors, progress_bytes_read = EXCLUDED.progress_bytes_read,
                last_success_at = EXCLUDED.last_success_at, last_summary = EXCLUDED.last_summary, last_error = EXCLUDED.last_error,
                updated_at = now()
            """);
        var p = command.Parameters;
        p.AddWithValue(storage.StorageKey);
        p.AddWithValue(storage.Scheme);
        p.AddWithValue(storage.Host);
        p.AddWithValue(storage.Port);
        p.Add(OrNull(storage.UserName));
        p.Add(OrNull(storage.CrawlCredential));
        p.Add(OrNull(storage.HostKey));
        p.AddWithValue(storage.RescanPeriod);
        p.AddWithValue(storage.ScanNumber);
        p.AddWithValue(storage.ScanRoots.ToArray());
        p.AddWithValue(ScanStatusText.ToText(storage.Status));
        p.Add(NullableTime(storage.ScanStartedAt));
        p.AddWithValue(storage.Progress.Directories);
        p.AddWithValue(storage.Progress.Files);
        p.AddWithValue(storage.Progress.Analysed);
        p.AddWithValue(storage.Progress.Unchanged);
        p.AddWithValue(storage.Progress.Errors);
        p.AddWithValue(storage.Progress.BytesRead);
        p.Add(NullableTime(storage.LastSuccessAt));
        p.Add(OrNull(storage.LastSummaryJson));
        p.Add(OrNull(storage.LastError));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task PinHostKeyAsync(string storageKey, string fingerprint, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("UPDATE pcrs_storages SET host_key = $2 WHERE storage_key = $1 AND host_key IS NULL");
        command.Parameters.AddWithValue(storageKey);
        command.Parameters.AddWithValue(fingerprint);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task RecordScanAsync(ScanRow scan, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("""
            INSERT INTO pcrs_scans (storage_key, scan_number, started_at, finished_at, status, directories, files, analysed, unchanged, errors, bytes_read, error)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
            ON CONFLICT (storage_key, scan_number) DO UPDATE SET started_at = EXCLUDED.started_at, finished_at = EXCLUDED.finished_at,
                status = EXCLUDED.status, directories = EXCLUDED.directories, files = EXCLUDED.files, analysed = EXCLUDED.analysed,
                unchanged = EXCLUDED.unchanged, errors = EXCLUDED.errors, bytes_read = EXCLUDED.bytes_read, error = EXCLUDED.error
            """);
        var p = command.Parameters;
        p.AddWithValue(scan.StorageKey);
        p.AddWithValue(scan.ScanNumber);
        p.AddWithValue(scan.StartedAt.ToUniversalTime());
        p.Add(NullableTime(scan.FinishedAt));
        p.AddWithValue(ScanStatusText.ToHistoryText(scan.Status));
        p.AddWithValue(scan.Counts.Directories);
        p.AddWithValue(scan.Counts.Files);
        p.AddWithValue(scan.Counts.Analysed);
        p.AddWithValue(scan.Counts.Unchanged);
        p.AddWithValue(scan.Counts.Errors);
        p.AddWithValue(scan.Counts.BytesRead);
        p.Add(OrNull(scan.Error));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

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

    public async Task UpsertTilesAsync(IReadOnlyList<TileRow> tiles, CancellationToken cancellationToken = default)
    {
        if (tiles.Count == 0)
            return;
        // One row per path: ON CONFLICT cannot update the same row twice in one statement (the last row written wins,
        // as it did when each row was its own statement).
        var rows = tiles.Count == 1 ? tiles : tiles.GroupBy(t => (t.StorageKey, t.Path)).Select(g => g.Last()).ToList();
        int n = rows.Count;
        var keys = new string[n];
        var paths = new string[n];
        var sizes = new long?[n];
        var modified = new DateTime?[n];
        var etags = new string?[n];
        var signatures = new string[n];
        var formats = new string?[n];
        var classifications = new string?[n];
        var widths = new int?[n];
        var heights = new int?[n];
        var bands = new int?[n];
        var bandNames = new string[n];
        var bits = new int?[n];
        var epsgs = new int?[n];
        var crsNames = new string?[n];
        var geoTransforms = new string?[n];
        var resolutions = new double?[n];
        var compressions = new string?[n];
        var footprints = new string?[n];
        var minLons = new double?[n];
        var minLats = new double?[n];
        var maxLons = new double?[n];
        var maxLats = new double?[n];
        var bytesRead = new long[n];
        var errors = new string?[n];
        var scanNumbers = new long[n];
        var scannedAt = new DateTime[n];
        var georeferenceSources = new string?[n];
        var hints = new string?[n];
        var featureCounts = new string?[n];
        var nativeExtents = new string?[n];
        var sources = new string?[n];
        var stamps = new string?[n];
        var cloudOptimized = new bool?[n];
        for (int i = 0; i < n; i++)
        {
            var tile = rows[i];
            keys[i] = tile.StorageKey;
            paths[i] = tile.Path;
            sizes[i] = tile.Size;
            modified[i] = tile.ModifiedAt?.UtcDateTime;
            etags[i] = tile.ETag;
            signatures[i] = tile.SidecarSignature;
            formats[i] = tile.Format;
            classifications[i] = tile.Classification;
            widths[i] = tile.Width;
            heights[i] = tile.Height;
            bands[i] = tile.Bands;
            bandNames[i] = PgArrayLiterals.Text(tile.BandNames);
            bits[i] = tile.BitsPerSample;
            epsgs[i] = tile.Epsg;
            crsNames[i] = tile.CrsName;
            geoTransforms[i] = PgArrayLiterals.Doubles(tile.GeoTransform);
            resolutions[i] = tile.Resolution;
            compressions[i] = tile.Compression;
            footprints[i] = tile.FootprintGeoJson;
            minLons[i] = tile.Bounds?.West;
            minLats[i] = tile.Bounds?.South;
            maxLons[i] = tile.Bounds?.East;
            maxLats[i] = tile.Bounds?.North;
            bytesRead[i] = tile.BytesRead;
            errors[i] = tile.Error;
            scanNumbers[i] = tile.ScanNumber;
            scannedAt[i] = tile.ScannedAt.UtcDateTime;
            georeferenceSources[i] = tile.GeoreferenceSource;
            hints[i] = tile.ConformityHints is null ? null : JsonSerializer.Serialize(tile.ConformityHints);
            featureCounts[i] = tile.FeatureCounts is null ? null : JsonSerializer.Serialize(tile.FeatureCounts);
            nativeExtents[i] = PgArrayLiterals.Doubles(tile.NativeExtent);
            sources[i] = tile.FactsSource;
            stamps[i] = tile.ListingStamp;
            cloudOptimized[i] = tile.CloudOptimized;
        }

        // One multi-row statement per batch (columns as arrays, unnest into rows): PostgreSQL parses, plans and executes
        // one statement instead of one per row, and the client binds 34 parameters instead of 34 per row.
        await using var command = dataSource.CreateCommand("""
            INSERT INTO pcrs_tiles (storage_key, path, size, modified_at, etag, sidecar_signature, format, classification, width, height,
                bands, band_names, bits_per_sample, epsg, crs_name, geo_transform, resolution, compression, footprint,
                min_lon, min_lat, max_lon, max_lat, bytes_read, error, scan_number, scanned_at,
                georeference_source, conformity_hints, feature_counts, native_extent, facts_source, listing_stamp, cloud_optimized)
            SELECT u.storage_key, u.path, u.size, u.modified_at, u.etag, u.sidecar_signature, u.format, u.classification, u.width, u.height,
                u.bands, u.band_names::text[], u.bits_per_sample, u.epsg, u.crs_name, u.geo_transform::double precision[], u.resolution,
                u.compression, u.footprint::jsonb, u.min_lon, u.min_lat, u.max_lon, u.max_lat, u.bytes_read, u.error, u.scan_number, u.scanned_at,
                u.georeference_source, u.conformity_hints::jsonb, u.feature_counts::jsonb, u.native_extent::double precision[],
                u.facts_source, u.listing_stamp, u.cloud_optimized
            FROM unnest($1::text[], $2::text[], $3::bigint[], $4::timestamptz[], $5::text[], $6::text[], $7::text[], $8::text[], $9::int[],
                $10::int[], $11::int[], $12::text[], $13::int[], $14::int[], $15::text[], $16::text[], $17::double precision[], $18::text[],
                $19::text[], $20::double precision[], $21::double precision[], $22::double precision[], $23::double precision[], $24::bigint[],
                $25::text[], $26::bigint[], $27::timestamptz[], $28::text[], $29::text[], $30::text[], $31::text[], $32::text[], $33::text[], $34::boolean[])
                AS u(storage_key, path, size, modified_at, etag, sidecar_signature, format, classification, width, height, bands, band_names,
                     bits_per_sample, epsg, crs_name, geo_transform, resolution, compression, footprint, min_lon, min_lat, max_lon, max_lat,
                     bytes_read, error, scan_number, scanned_at, georeference_source, conformity_hints, feature_counts, native_extent,
                     facts_source, listing_stamp, cloud_optimized)
            ON CONFLICT (storage_key, path) DO UPDATE SET size = EXCLUDED.size, modified_at = EXCLUDED.modified_at, etag = EXCLUDED.etag,
                sidecar_signature = EXCLUDED.sidecar_signature, format = EXCLUDED.format, classification = EXCLUDED.classification,
                width = EXCLUDED.width, height = EXCLUDED.height, bands = EXCLUDED.bands, band_names = EXCLUDED.band_names,
                bits_per_sample = EXCLUDED.bits_per_sample, epsg = EXCLUDED.epsg, crs_name = EXCLUDED.crs_name,
                geo_transform = EXCLUDED.geo_transform, resolution = EXCLUDED.resolution, compression = EXCLUDED.compression,
                footprint = EXCLUDED.footprint, min_lon = EXCLUDED.min_lon, min_lat = EXCLUDED.min_lat, max_lon = EXCLUDED.max_lon,
                max_lat = EXCLUDED.max_lat, bytes_read = EXCLUDED.bytes_read, error = EXCLUDED.error,
                scan_number = EXCLUDED.scan_number, scanned_at = EXCLUDED.scanned_at,
                georeference_source = EXCLUDED.georeference_source, conformity_hints = EXCLUDED.conformity_hints,
                feature_counts = EXCLUDED.feature_counts, native_extent = EXCLUDED.native_extent,
                facts_source = EXCLUDED.facts_source, listing_stamp = EXCLUDED.listing_stamp,
                cloud_optimized = EXCLUDED.cloud_optimized
            """);
        var p = command.Parameters;
        p.Add(ArrayOf(keys, NpgsqlDbType.Text));
        p.Add(ArrayOf(paths, NpgsqlDbType.Text));
        p.Add(ArrayOf(sizes, NpgsqlDbType.Bigint));
        p.Add(ArrayOf(modified, NpgsqlDbType.TimestampTz));
        p.Add(ArrayOf(etags, NpgsqlDbType.Text));
        p.Add(ArrayOf(signatures, NpgsqlDbType.Text));
        p.Add(ArrayOf(formats, NpgsqlDbType.Text));
        p.Add(ArrayOf(classifications, NpgsqlDbType.Text));
        p.Add(ArrayOf(widths, NpgsqlDbType.Integer));
        p.Add(ArrayOf(heights, NpgsqlDbType.Integer));
        p.Add(ArrayOf(bands, NpgsqlDbType.Integer));
        p.Add(ArrayOf(bandNames, NpgsqlDbType.Text));
        p.Add(ArrayOf(bits, NpgsqlDbType.Integer));
        p.Add(ArrayOf(epsgs, NpgsqlDbType.Integer));
        p.Add(ArrayOf(crsNames, NpgsqlDbType.Text));
        p.Add(ArrayOf(geoTransforms, NpgsqlDbType.Text));
        p.Add(ArrayOf(resolutions, NpgsqlDbType.Double));
        p.Add(ArrayOf(compressions, NpgsqlDbType.Text));
        p.Add(ArrayOf(footprints, NpgsqlDbType.Text));
        p.Add(ArrayOf(minLons, NpgsqlDbType.Double));
        p.Add(ArrayOf(minLats, NpgsqlDbType.Double));
        p.Add(ArrayOf(maxLons, NpgsqlDbType.Double));
        p.Add(ArrayOf(maxLats, NpgsqlDbType.Double));
        p.Add(ArrayOf(bytesRead, NpgsqlDbType.Bigint));
        p.Add(ArrayOf(errors, NpgsqlDbType.Text));
        p.Add(ArrayOf(scanNumbers, NpgsqlDbType.Bigint));
        p.Add(ArrayOf(scannedAt, NpgsqlDbType.TimestampTz));
        p.Add(ArrayOf(georeferenceSources, NpgsqlDbType.Text));
        p.Add(ArrayOf(hints, NpgsqlDbType.Text));
        p.Add(ArrayOf(featureCounts, NpgsqlDbType.Text));
        p.Add(ArrayOf(nativeExtents, NpgsqlDbType.Text));
        p.Add(ArrayOf(sources, NpgsqlDbType.Text));
        p.Add(ArrayOf(stamps, NpgsqlDbType.Text));
        p.Add(ArrayOf(cloudOptimized, NpgsqlDbType.Boolean));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<TileRow?> GetTileAsync(string storageKey, string path, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(TileSelect + " WHERE storage_key = $1 AND path = $2");
        command.Parameters.AddWithValue(storageKey);
        command.Parameters.AddWithValue(path);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadTile(reader) : null;
    }

    public async IAsyncEnumerable<TileRow> QueryTilesAsync(string storageKey, string pathPrefix, GeoBox? bbox = null, int? limit = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var (from, to) = CataloguePaths.Descendants(pathPrefix);
        string sql = TileSelect + " WHERE storage_key = $1 AND path >= $2 AND path < $3";
        if (bbox is not null)
            sql += " AND min_lon IS NOT NULL AND box(point(min_lon, min_lat), point(max_lon, max_lat)) && box(point($4, $5), point($6, $7))";
        sql += " ORDER BY path";
        if (limit is not null)
            sql += " LIMIT " + limit.Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using var command = dataSource.CreateCommand(sql);
        command.Parameters.AddWithValue(storageKey);
        command.Parameters.AddWithValue(from);
        command.Parameters.AddWithValue(to);
        if (bbox is { } box)
        {
            command.Parameters.AddWithValue(box.West);
            command.Parameters.AddWithValue(box.South);
            command.Parameters.AddWithValue(box.East);
            command.Parameters.AddWithValue(box.North);
        }
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            yield return ReadTile(reader);
    }

    public async Task<CatalogueSummary> SummarizeAsync(string storageKey, string pathPrefix, CancellationToken cancellationToken = default)
    {
        var (from, to) = CataloguePaths.Descendants(pathPrefix);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection);
        AddBatch(batch, """
            SELECT count(*) FILTER (WHERE kind = 'f'), count(*) FILTER (WHERE kind = 'd')
            FROM pcrs_entries WHERE storage_key = $1 AND path >= $2 AND path < $3
            """, storageKey, from, to);
        AddBatch(batch, """
            SELECT format, classification, epsg, crs_name, band_names, count(*), coalesce(sum(size), 0)::bigint, count(error)
            FROM pcrs_tiles WHERE storage_key = $1 AND path >= $2 AND path < $3
            GROUP BY format, classification, epsg, crs_name, band_names
            """, storageKey, from, to);
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        long files = reader.GetInt64(0), directories = reader.GetInt64(1);
        await reader.NextResultAsync(cancellationToken);
        var groups = new List<TileGroup>();
        while (await reader.ReadAsync(cancellationToken))
        {
            groups.Add(new TileGroup(NullableString(reader, 0), NullableString(reader, 1), reader.IsDBNull(2) ? null : reader.GetInt32(2),
                NullableString(reader, 3), reader.GetFieldValue<string[]>(4), reader.GetInt64(5), reader.GetInt64(6), reader.GetInt64(7)));
        }
        return new CatalogueSummary(files, directories, groups);
    }

    public async Task<ScanReads> CountScanReadsAsync(string storageKey, string pathPrefix, long scanNumber, CancellationToken cancellationToken = default)
    {
        var (from, to) = CataloguePaths.Descendants(pathPrefix);
        await using var command = dataSource.CreateCommand("""
            SELECT count(*), coalesce(sum(bytes_read), 0)::bigint, count(*) FILTER (WHERE sidecar_signature = $5)
            FROM pcrs_tiles WHERE storage_key = $1 AND path >= $2 AND path < $3 AND scan_number = $4
            """);
        command.Parameters.AddWithValue(storageKey);
        command.Parameters.AddWithValue(from);
        command.Parameters.AddWithValue(to);
        command.Parameters.AddWithValue(scanNumber);
        command.Parameters.AddWithValue(CatalogueRetry.Stamp);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new ScanReads(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
    }

    internal const string TileSelect = """
        SELECT storage_key, path, size, modified_at, etag, sidecar_signature, format, classification, width, height, bands, band_names,
               bits_per_sample, epsg, crs_name, geo_transform, resolution, compression, footprint::text, min_lon, min_lat, max_lon, max_lat,
               bytes_read, error, scan_number, scanned_at, georeference_source, conformity_hints::text, feature_counts::text, native_extent, facts_source, listing_stamp,
               cloud_optimized
        FROM pcrs_tiles
        """;

    internal static TileRow ReadTile(NpgsqlDataReader reader) => new()
    {
        StorageKey = reader.GetString(0),
        Path = reader.GetString(1),
        Size = NullableLong(reader, 2),
        ModifiedAt = NullableTime(reader, 3),
        ETag = NullableString(reader, 4),
        SidecarSignature = reader.GetString(5),
        Format = NullableString(reader, 6),
        Classification = NullableString(reader, 7),
        Width = NullableInt(reader, 8),
        Height = NullableInt(reader, 9),
        Bands = NullableInt(reader, 10),
        BandNames = reader.GetFieldValue<string[]>(11),
        BitsPerSample = NullableInt(reader, 12),
        Epsg = NullableInt(reader, 13),
        CrsName = NullableString(reader, 14),
        GeoTransform = reader.IsDBNull(15) ? null : reader.GetFieldValue<double[]>(15),
        Resolution = reader.IsDBNull(16) ? null : reader.GetDouble(16),
        Compression = NullableString(reader, 17),
        FootprintGeoJson = NullableString(reader, 18),
        Bounds = reader.IsDBNull(19) ? null : new GeoBox(reader.GetDouble(19), reader.GetDouble(20), reader.GetDouble(21), reader.GetDouble(22)),
        BytesRead = reader.GetInt64(23),
        Error = NullableString(reader, 24),
        ScanNumber = reader.GetInt64(25),
        ScannedAt = reader.GetFieldValue<DateTimeOffset>(26),
        GeoreferenceSource = NullableString(reader, 27),
        ConformityHints = reader.IsDBNull(28) ? null : JsonSerializer.Deserialize<string[]>(reader.GetString(28)),
        FeatureCounts = reader.IsDBNull(29) ? null : JsonSerializer.Deserialize<Dictionary<string, long>>(reader.GetString(29)),
        NativeExtent = reader.IsDBNull(30) ? null : reader.GetFieldValue<double[]>(30),
        FactsSource = NullableString(reader, 31),
        ListingStamp = NullableString(reader, 32),
        CloudOptimized = reader.IsDBNull(33) ? null : reader.GetBoolean(33),
    };

    private static void AddBatch(NpgsqlBatch batch, string sql, params object[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values)
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        batch.BatchCommands.Add(command);
    }

    private static NpgsqlParameter ArrayOf<T>(T[] values, NpgsqlDbType elementType) =>
        new() { Value = values, NpgsqlDbType = NpgsqlDbType.Array | elementType };

    private static NpgsqlParameter OrNull<T>(T? value) => new() { Value = (object?)value ?? DBNull.Value };

    private static NpgsqlParameter NullableTime(DateTimeOffset? value) =>
        new() { Value = value is { } v ? v.ToUniversalTime() : DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz };

    private static string? NullableString(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static long? NullableLong(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetInt64(ordinal);

    private static int? NullableInt(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetInt32(ordinal);

    private static DateTimeOffset? NullableTime(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetFieldValue<DateTimeOffset>(ordinal);
}
