using Microsoft.Data.Sqlite;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO;
using Pcrs.Grains.Catalogue;
using Pcrs.Grains.Formats.Crs;

namespace Pcrs.WebFront.Metadata;

/// <summary>
/// The tile index as an OGC GeoPackage 1.2 file with two feature tables: "dalles" in the deliverable's own CRS (exact
/// corners from the geotransforms) and "dalles_wgs84" (the scanner's WGS84 footprints), the attributes of
/// <see cref="TileIndexFields"/> in both. Written to a temporary file (SQLite needs one), streamed, then deleted.
/// </summary>
public static class TileIndexGeoPackage
{
    public const string ContentType = "application/geopackage+sqlite3";

    /// <summary>The layers written, each one pass over the tiles: the deliverable's own CRS when known, and WGS84.</summary>
    public static IReadOnlyList<(string Table, int Srs, bool Native)> Layers(DeliverableContext context)
    {
        var layers = new List<(string Table, int Srs, bool Native)> { ("dalles_wgs84", 4326, false) };
        if (context.Epsg is { } own && CrsRegistry.Find(own) is not null)
            layers.Insert(0, ("dalles", own, true));
        return layers;
    }

    public static async Task WriteAsync(string file, DeliverableContext context, ITileMetadataReader catalogue, CancellationToken ct)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file, Pooling = false }.ToString());
        await connection.OpenAsync(ct);
        await ExecuteAsync(connection, "PRAGMA application_id = 1196444487; PRAGMA user_version = 10200; PRAGMA journal_mode = OFF;", ct);
        await ExecuteAsync(connection, """
            CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, organization TEXT NOT NULL,
                organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT);
            CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE,
                description TEXT DEFAULT '', last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
                min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER REFERENCES gpkg_spatial_ref_sys(srs_id));
            CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,
                srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL, PRIMARY KEY (table_name, column_name));
            INSERT INTO gpkg_spatial_ref_sys VALUES ('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', NULL);
            INSERT INTO gpkg_spatial_ref_sys VALUES ('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', NULL);
            """, ct);
        await AddSrsAsync(connection, 4326, ct);
        var epsg = context.Epsg;
        if (epsg is { } code && code != 4326)
            await AddSrsAsync(connection, code, ct);

        var layers = Layers(context);
        var columns = string.Join(", ", TileIndexFields.All.Select(f => $"\"{f.Name}\" {SqlType(f.Type)}"));
        foreach (var (table, srs, _) in layers)
        {
            await ExecuteAsync(connection,
                $"CREATE TABLE \"{table}\" (fid INTEGER PRIMARY KEY AUTOINCREMENT, geom POLYGON, {columns});" +
                $"INSERT INTO gpkg_geometry_columns VALUES ('{table}', 'geom', 'POLYGON', {srs}, 0, 0);", ct);
        }

        var writer = new GeoPackageGeoWriter { HandleOrdinates = Ordinates.XY };
        foreach (var (table, srs, native) in layers)
        {
            var factory = new GeometryFactory(new PrecisionModel(), srs);
            var envelope = new Envelope();
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(ct);
            await using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = $"INSERT INTO \"{table}\" (geom, {string.Join(", ", TileIndexFields.All.Select(f => $"\"{f.Name}\""))}) " +
                                 $"VALUES ($geom, {string.Join(", ", TileIndexFields.All.Select((_, i) => "$p" + i))})";
            var geometryParameter = insert.Parameters.Add("$geom", SqliteType.Blob);
            var parameters = TileIndexFields.All.Select((_, i) => insert.Parameters.Add("$p" + i, SqliteType.Text)).ToArray();
            await foreach (var tile in catalogue.ListAsync(context.Storage.StorageKey, context.Storage.StartPath, context.AllTiles, ct))
            {
                var ring = native ? (tile.Epsg == srs ? TileIndexFields.NativeRing(tile) : null) : WgsRing(tile);
                Polygon? polygon = ring is null ? null : factory.CreatePolygon(ring.Select(p => new Coordinate(p[0], p[1])).ToArray());
                if (polygon is not null)
                    envelope.ExpandToInclude(polygon.EnvelopeInternal);
                geometryParameter.Value = polygon is null ? DBNull.Value : writer.Write(polygon);
                for (int i = 0; i < parameters.Length; i++)
                    parameters[i].Value = TileIndexFields.All[i].Value(context, tile) switch
                    {
                        null => DBNull.Value,
                        // GeoPackage booleans are integers 0 and 1.
                        bool b => b ? 1L : 0L,
                        var v => v,
                    };
                await insert.ExecuteNonQueryAsync(ct);
            }
            await transaction.CommitAsync(ct);
            await using var contents = connection.CreateCommand();
            contents.CommandText = "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, min_x, min_y, max_x, max_y, srs_id) " +
                                   "VALUES ($t, 'features', $t, $d, $x0, $y0, $x1, $y1, $s)";
            contents.Parameters.AddWithValue("$t", table);
            contents.Parameters.AddWithValue("$d", $"Tableau d'assemblage de « {context.Deliverable.Document.Name} » (EPSG:{srs})");
            contents.Parameters.AddWithValue("$x0", envelope.IsNull ? DBNull.Value : envelope.MinX);
            contents.Parameters.AddWithValue("$y0", envelope.IsNull ? DBNull.Value : envelope.MinY);
            contents.Parameters.AddWithValue("$x1", envelope.IsNull ? DBNull.Value : envelope.MaxX);
            contents.Parameters.AddWithValue("$y1", envelope.IsNull ? DBNull.Value : envelope.MaxY);
            contents.Parameters.AddWithValue("$s", srs);
            await contents.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>The stored WGS84 footprint's ring (longitude, latitude); null without one.</summary>
    public static double[][]? WgsRing(TileRow tile)
    {
        if (tile.FootprintGeoJson is null)
            return null;
        using var document = System.Text.Json.JsonDocument.Parse(tile.FootprintGeoJson);
        var ring = document.RootElement.GetProperty("coordinates")[0];
        var points = ring.EnumerateArray().Select(p => new[] { p[0].GetDouble(), p[1].GetDouble() }).ToArray();
        return points.Length >= 4 ? points : null;
    }

    private static string SqlType(TileFieldType type) => type switch
    {
        TileFieldType.Integer or TileFieldType.Long => "INTEGER",
        TileFieldType.Date => "DATE",
        TileFieldType.Boolean => "BOOLEAN",
        _ => "TEXT",
    };

    private static async Task AddSrsAsync(SqliteConnection connection, int epsg, CancellationToken ct)
    {
        var crs = CrsRegistry.Find(epsg);
        if (crs is null)
            return;
        await using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO gpkg_spatial_ref_sys VALUES ($n, $id, 'EPSG', $id, $wkt, NULL)";
        command.Parameters.AddWithValue("$n", crs.Name);
        command.Parameters.AddWithValue("$id", epsg);
        command.Parameters.AddWithValue("$wkt", CrsWkt.ToWkt1(crs));
        await command.ExecuteNonQueryAsync(ct);
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(ct);
    }
}
