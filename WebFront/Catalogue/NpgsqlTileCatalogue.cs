using System.Runtime.CompilerServices;
using Npgsql;

namespace Pcrs.WebFront.Catalogue;

/// <summary>
/// <see cref="ITileCatalogue"/> over the scan catalogue tables in PostgreSQL. Every query is keyed by storage identity
/// and path prefix (the catalogue's index), and streams its rows.
/// </summary>
public sealed class NpgsqlTileCatalogue(NpgsqlDataSource dataSource) : ITileCatalogue
{
    // The catalogue schema belongs to the scanning cluster; the SQL it needs here is kept in CatalogueQueries.
    public async IAsyncEnumerable<CatalogueTile> ListTilesAsync(
        string storageIdentity, string startPath, GeoBox? bbox, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(bbox is null ? CatalogueQueries.Tiles : CatalogueQueries.TilesInBox);
        command.Parameters.Add(new() { Value = storageIdentity });
        AddPrefix(command, startPath);
        if (bbox is { } box)
        {
            command.Parameters.Add(new() { Value = box.West });
            command.Parameters.Add(new() { Value = box.South });
            command.Parameters.Add(new() { Value = box.East });
            command.Parameters.Add(new() { Value = box.North });
        }
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return new CatalogueTile(
                reader.GetString(0),
                reader.IsDBNull(1) ? null : reader.GetInt64(1),
                reader.IsDBNull(2) ? null : reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetInt32(3),
                reader.IsDBNull(4) ? null : reader.GetInt32(4),
                reader.IsDBNull(5) ? [] : reader.GetFieldValue<string[]>(5),
                reader.IsDBNull(6) ? null : reader.GetInt32(6),
                reader.IsDBNull(7) ? null : reader.GetInt32(7),
                reader.IsDBNull(8) ? null : reader.GetDouble(8),
                reader.IsDBNull(9) ? null : reader.GetString(9),
                reader.IsDBNull(10) ? null : reader.GetString(10));
        }
    }

    public async Task<CatalogueFile?> FindFileAsync(string storageIdentity, string path, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(CatalogueQueries.File);
        command.Parameters.Add(new() { Value = storageIdentity });
        command.Parameters.Add(new() { Value = path });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
            return null;
        return new CatalogueFile(
            reader.GetString(0),
            reader.IsDBNull(1) ? null : reader.GetInt64(1),
            reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2));
    }

    public async Task<CatalogueAggregate?> SummarizeAsync(string storageIdentity, string startPath, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(CatalogueQueries.Aggregate);
        command.Parameters.Add(new() { Value = storageIdentity });
        AddPrefix(command, startPath);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken) || reader.GetInt64(0) == 0)
            return null;
        GeoBox? extent = reader.IsDBNull(6) ? null
            : new GeoBox(reader.GetDouble(6), reader.GetDouble(7), reader.GetDouble(8), reader.GetDouble(9));
        return new CatalogueAggregate(
            reader.GetInt64(0),
            reader.IsDBNull(1) ? 0 : reader.GetInt64(1),
            reader.IsDBNull(2) ? null : reader.GetString(2),
            reader.IsDBNull(3) ? null : reader.GetString(3),
            reader.IsDBNull(4) ? null : reader.GetInt32(4),
            reader.IsDBNull(5) ? [] : reader.GetString(5).Split(',', StringSplitOptions.RemoveEmptyEntries),
            extent,
            reader.IsDBNull(10) ? null : reader.GetFieldValue<DateTimeOffset>(10));
    }

    public async Task<ScanStamp?> GetScanStampAsync(string storageIdentity, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(CatalogueQueries.ScanStamp);
        command.Parameters.Add(new() { Value = storageIdentity });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
            return null;
        return new ScanStamp(reader.GetInt64(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2));
    }

    public async IAsyncEnumerable<string> ListFootprintsAsync(string storageIdentity, string startPath, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(CatalogueQueries.Footprints);
        command.Parameters.Add(new() { Value = storageIdentity });
        AddPrefix(command, startPath);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            yield return reader.GetString(0);
    }

    private static void AddPrefix(NpgsqlCommand command, string startPath)
    {
        var prefix = CatalogueQueries.Prefix(startPath);
        command.Parameters.Add(new() { Value = prefix });
        command.Parameters.Add(new() { Value = CatalogueQueries.PrefixEnd(prefix) });
    }
}
