using System.Runtime.CompilerServices;
using Npgsql;

namespace Pcrs.Grains.Catalogue;

/// <summary><see cref="ICatalogueReader"/> on PostgreSQL: each query is one index range on (storage, path) and streams its rows.</summary>
public sealed partial class PostgresCatalogue : ICatalogueReader
{
    public async Task<CatalogueFile?> FindFileAsync(string storageKey, string path, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            // A data file's tile holds its exact size and time (the listing's may be rounded, and the entry then keeps none).
            "SELECT e.path, coalesce(t.size, e.size), coalesce(t.modified_at, e.modified_at) FROM pcrs_entries e " +
            "LEFT JOIN pcrs_tiles t ON t.storage_key = e.storage_key AND t.path = e.path " +
            "WHERE e.storage_key = $1 AND e.path = $2 AND e.kind = 'f'");
        command.Parameters.AddWithValue(storageKey);
        command.Parameters.AddWithValue(path);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
            return null;
        return new CatalogueFile(reader.GetString(0), NullableLong(reader, 1), NullableTime(reader, 2));
    }

    public async Task<CatalogueAggregate?> AggregateTilesAsync(string storageKey, string startPath, CancellationToken cancellationToken)
    {
        // A value shared by every tile that has one: min = max (NULLs ignored, as count(DISTINCT) would, without its sorts:
        // 2-3 s on 100,000 tiles with count(DISTINCT), one pass without).
        await using var command = dataSource.CreateCommand("""
            SELECT count(*), sum(size),
                   CASE WHEN min(format) = max(format) THEN min(format) END,
                   CASE WHEN min(compression) = max(compression) THEN min(compression) END,
                   CASE WHEN min(epsg) = max(epsg) THEN min(epsg) END,
                   CASE WHEN min(array_to_string(band_names, ',')) = max(array_to_string(band_names, ',')) THEN min(array_to_string(band_names, ',')) END,
                   min(min_lon), min(min_lat), max(max_lon), max(max_lat), max(scanned_at)
            FROM pcrs_tiles WHERE storage_key = $1 AND path >= $2 AND path < $3 AND error IS NULL
            """);
        AddRange(command, storageKey, startPath);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken) || reader.GetInt64(0) == 0)
            return null;
        GeoBox? extent = reader.IsDBNull(6) ? null
            : new GeoBox(reader.GetDouble(6), reader.GetDouble(7), reader.GetDouble(8), reader.GetDouble(9));
        return new CatalogueAggregate(
            reader.GetInt64(0),
            reader.IsDBNull(1) ? 0 : reader.GetInt64(1),
            NullableString(reader, 2),
            NullableString(reader, 3),
            NullableInt(reader, 4),
            reader.IsDBNull(5) ? [] : reader.GetString(5).Split(',', StringSplitOptions.RemoveEmptyEntries),
            extent,
            NullableTime(reader, 10));
    }

    public async Task<ScanStamp?> GetScanStampAsync(string storageKey, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT scan_number, status, last_success_at FROM pcrs_storages WHERE storage_key = $1");
        command.Parameters.AddWithValue(storageKey);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
            return null;
        return new ScanStamp(reader.GetInt64(0), ScanStatusText.Parse(reader.GetString(1)), NullableTime(reader, 2));
    }

    public async IAsyncEnumerable<CatalogueFileError> ListFileErrorsAsync(string storageKey, string startPath, int limit,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var (from, to) = CataloguePaths.Descendants(startPath);
        await using var command = dataSource.CreateCommand(
            "SELECT path, size, error FROM pcrs_tiles WHERE storage_key = $1 AND path >= $2 AND path < $3 AND error IS NOT NULL ORDER BY path LIMIT $4");
        command.Parameters.AddWithValue(storageKey);
        command.Parameters.AddWithValue(from);
        command.Parameters.AddWithValue(to);
        command.Parameters.AddWithValue(Math.Max(0, limit));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            yield return new CatalogueFileError(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetInt64(1), reader.GetString(2));
    }

    public async IAsyncEnumerable<CatalogueDirectoryError> ListDirectoryErrorsAsync(string storageKey, string startPath, int limit,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var (from, to) = CataloguePaths.Descendants(startPath);
        await using var command = dataSource.CreateCommand("""
            SELECT path, coalesce(listing_error, '') FROM pcrs_directories
            WHERE storage_key = $1 AND (path = $2 OR (path >= $3 AND path < $4)) AND listing_failed ORDER BY path LIMIT $5
            """);
        command.Parameters.AddWithValue(storageKey);
        command.Parameters.AddWithValue(startPath == "/" ? "/" : startPath.TrimEnd('/'));
        command.Parameters.AddWithValue(from);
        command.Parameters.AddWithValue(to);
        command.Parameters.AddWithValue(Math.Max(0, limit));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            yield return new CatalogueDirectoryError(reader.GetString(0), reader.GetString(1));
    }

    public async IAsyncEnumerable<string> ListFootprintsAsync(string storageKey, string startPath, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT footprint::text FROM pcrs_tiles WHERE storage_key = $1 AND path >= $2 AND path < $3 AND error IS NULL AND footprint IS NOT NULL");
        AddRange(command, storageKey, startPath);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            yield return reader.GetString(0);
    }

    public Task<SubtreeProgress> ReadSubtreeProgressAsync(string storageKey, string startPath, long scanNumber, CancellationToken cancellationToken = default) =>
        SubtreeProgressQuery.ReadAsync(this, storageKey, startPath, scanNumber, cancellationToken);

    /// <summary>$1 storage, $2-$3 the strict descendants of the start path (<see cref="CataloguePaths.Descendants"/>).</summary>
    private static void AddRange(NpgsqlCommand command, string storageKey, string startPath)
    {
        var (from, to) = CataloguePaths.Descendants(startPath);
        command.Parameters.AddWithValue(storageKey);
        command.Parameters.AddWithValue(from);
        command.Parameters.AddWithValue(to);
    }
}
