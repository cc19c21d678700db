namespace Pcrs.WebFront.Catalogue;

/// <summary>
/// The SQL the web front runs on the scan catalogue. Paths under a start path are matched with a prefix on the
/// (storage, path) index; a start path "/" matches everything.
/// </summary>
internal static class CatalogueQueries
{
    /// <summary>"/Ortho" → "/Ortho/" so that "/Ortho2/x.jp2" is not taken for a file under "/Ortho".</summary>
    public static string Prefix(string startPath) => startPath.EndsWith('/') ? startPath : startPath + "/";

    private const string TileColumns =
        "t.path, t.size, t.format, t.width, t.height, t.band_names, t.bits_per_sample, t.epsg, t.resolution, t.compression, t.footprint::text";

    private const string UnderPrefix = "t.storage_key = $1 AND t.path LIKE (replace(replace(replace($2, '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%')";

    public const string Tiles =
        $"SELECT {TileColumns} FROM pcrs_tiles t WHERE {UnderPrefix} AND t.error IS NULL ORDER BY t.path";

    public const string TilesInBox =
        $"SELECT {TileColumns} FROM pcrs_tiles t WHERE {UnderPrefix} AND t.error IS NULL " +
        "AND t.max_lon >= $3 AND t.min_lon <= $5 AND t.max_lat >= $4 AND t.min_lat <= $6 ORDER BY t.path";

    public const string File =
        "SELECT e.path, e.size, e.last_modified FROM pcrs_entries e WHERE e.storage_key = $1 AND e.path = $2 AND e.kind = 'file'";

    public const string Aggregate =
        "SELECT count(*), sum(t.size), " +
        "CASE WHEN count(DISTINCT t.format) = 1 THEN min(t.format) END, " +
        "CASE WHEN count(DISTINCT t.compression) = 1 THEN min(t.compression) END, " +
        "CASE WHEN count(DISTINCT t.epsg) = 1 THEN min(t.epsg) END, " +
        "CASE WHEN count(DISTINCT array_to_string(t.band_names, ',')) = 1 THEN min(t.band_names::text)::text[] END, " +
        "min(t.min_lon), min(t.min_lat), max(t.max_lon), max(t.max_lat), max(t.scanned_at) " +
        $"FROM pcrs_tiles t WHERE {UnderPrefix} AND t.error IS NULL";
}
