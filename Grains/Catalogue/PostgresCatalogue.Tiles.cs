using System.Runtime.CompilerServices;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using Pcrs.Grains.Catalogue.Database;

namespace Pcrs.Grains.Catalogue;

/// <summary>Tiles: their batched upsert, reads by path, box and prefix, summaries, and the one row reader (<see cref="ReadTile"/>).</summary>
public sealed partial class PostgresCatalogue
{
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
            WHERE pcrs_tiles.scan_number <= EXCLUDED.scan_number
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

    public async IAsyncEnumerable<TileRow> QueryTilesAsync(string storageKey, string pathPrefix,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var (from, to) = CataloguePaths.Descendants(pathPrefix);
        await using var command = dataSource.CreateCommand(TileSelect + " WHERE storage_key = $1 AND path >= $2 AND path < $3 ORDER BY path");
        command.Parameters.AddWithValue(storageKey);
        command.Parameters.AddWithValue(from);
        command.Parameters.AddWithValue(to);
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
}
