using System.Globalization;
using System.Runtime.CompilerServices;
using Npgsql;
using Pcrs.Grains.Interfaces.Scanning;

namespace Pcrs.Grains.Catalogue;

/// <summary><see cref="ITileMetadataReader"/> on PostgreSQL: the path-range index and the GiST box index of 0100_catalogue.sql.</summary>
public sealed class PostgresTileMetadataReader(NpgsqlDataSource dataSource) : ITileMetadataReader
{
    public async IAsyncEnumerable<TileRow> ListAsync(string storageKey, string startPath, TileQuery query,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var command = Command(PostgresCatalogue.TileSelect, storageKey, startPath, query);
        command.CommandText += " ORDER BY path";
        if (query.Limit is { } limit)
            command.CommandText += " LIMIT " + Math.Max(0, limit).ToString(CultureInfo.InvariantCulture);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            yield return PostgresCatalogue.ReadTile(reader);
    }

    public async Task<long> CountAsync(string storageKey, string startPath, TileQuery query, CancellationToken cancellationToken = default)
    {
        await using var command = Command("SELECT count(*) FROM pcrs_tiles", storageKey, startPath, query with { AfterPath = null });
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public async Task<(DateTimeOffset? First, DateTimeOffset? Last)> GetModifiedRangeAsync(string storageKey, string startPath, CancellationToken cancellationToken = default)
    {
        await using var command = Command("SELECT min(modified_at), max(modified_at) FROM pcrs_tiles", storageKey, startPath, new TileQuery());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (reader.IsDBNull(0) ? null : reader.GetFieldValue<DateTimeOffset>(0), reader.IsDBNull(1) ? null : reader.GetFieldValue<DateTimeOffset>(1));
    }

    public async Task<IReadOnlyList<ScanRow>> ListRecentScansAsync(string storageKey, int limit, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT scan_number, started_at, finished_at, status, directories, files, analysed, unchanged, errors, bytes_read, error " +
            "FROM pcrs_scans WHERE storage_key = $1 ORDER BY scan_number DESC LIMIT $2");
        command.Parameters.Add(new() { Value = storageKey });
        command.Parameters.Add(new() { Value = limit });
        var rows = new List<ScanRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new ScanRow(storageKey, reader.GetInt64(0), reader.GetFieldValue<DateTimeOffset>(1),
                reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2), ScanStatusText.ParseHistory(reader.GetString(3)),
                new ScanProgress(reader.GetInt64(4), reader.GetInt64(5), reader.GetInt64(6), reader.GetInt64(7), reader.GetInt64(8), reader.GetInt64(9)),
                reader.IsDBNull(10) ? null : reader.GetString(10)));
        }
        return rows;
    }

    public async Task<CatalogueVersion> GetVersionAsync(CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT count(*), coalesce(sum(scan_number), 0)::bigint, " +
            $"count(*) FILTER (WHERE status NOT IN ({ScanStatusText.SettledSqlList})), " +
            "max(updated_at), (SELECT count(*) FROM pcrs_storage_attachments), " +
            "(SELECT max(greatest(attached_at, verified_at)) FROM pcrs_storage_attachments) FROM pcrs_storages");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new CatalogueVersion(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2),
            reader.IsDBNull(3) ? null : reader.GetFieldValue<DateTimeOffset>(3),
            reader.GetInt64(4), reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5));
    }

    private NpgsqlCommand Command(string select, string storageKey, string startPath, TileQuery query)
    {
        var (from, to) = CataloguePaths.Descendants(startPath);
        var command = dataSource.CreateCommand(select + " WHERE storage_key = $1 AND path >= $2 AND path < $3");
        command.Parameters.Add(new() { Value = storageKey });
        command.Parameters.Add(new() { Value = from });
        command.Parameters.Add(new() { Value = to });
        if (!query.IncludeErrors)
            command.CommandText += " AND error IS NULL";
        if (query.Bbox is { } box)
        {
            // && on boxes: the catalogue's GiST index on the footprint's bounding box.
            command.CommandText += " AND min_lon IS NOT NULL AND box(point(min_lon, min_lat), point(max_lon, max_lat)) && box(point($4, $5), point($6, $7))";
            command.Parameters.Add(new() { Value = box.West });
            command.Parameters.Add(new() { Value = box.South });
            command.Parameters.Add(new() { Value = box.East });
            command.Parameters.Add(new() { Value = box.North });
        }
        if (query.ExactPath is { } exact)
        {
            command.CommandText += $" AND path = ${command.Parameters.Count + 1}";
            command.Parameters.Add(new() { Value = exact });
        }
        if (query.ModifiedFrom is { } modifiedFrom)
        {
            command.CommandText += $" AND modified_at >= ${command.Parameters.Count + 1}";
            command.Parameters.Add(new() { Value = modifiedFrom.ToUniversalTime() });
        }
        if (query.ModifiedTo is { } modifiedTo)
        {
            command.CommandText += $" AND modified_at <= ${command.Parameters.Count + 1}";
            command.Parameters.Add(new() { Value = modifiedTo.ToUniversalTime() });
        }
        if (query.AfterPath is { } after)
        {
            command.CommandText += $" AND path > ${command.Parameters.Count + 1}";
            command.Parameters.Add(new() { Value = after });
        }
        return command;
    }
}
