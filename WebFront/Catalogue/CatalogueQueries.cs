namespace Pcrs.WebFront.Catalogue;

/// <summary>
/// The SQL the web front runs on the scan catalogue (deploy/sql/0100_catalogue.sql). Paths use the "C" collation, so
/// the files under a start path are one index range: ['/a/', '/a0') for "/a", everything from "/" for the root.
/// </summary>
internal static class CatalogueQueries
{
    /// <summary>"/Ortho" → "/Ortho/" so that "/Ortho2/x.jp2" is not taken for a file under "/Ortho".</summary>
    public static string Prefix(string startPath) => startPath.EndsWith('/') ? startPath : startPath + "/";

    /// <summary>The first string after every string starting with <paramref name="prefix"/> (last character + 1).</summary>
    public static string PrefixEnd(string prefix) => prefix[..^1] + (char)(prefix[^1] + 1);

    private const string TileColumns =
        "t.path, t.size, t.format, t.width, t.height, t.band_names, t.bits_per_sample, t.epsg, t.resolution, t.compression, t.footprint::text";

    private const string UnderPrefix = "t.storage_key = $1 AND t.path >= $2 AND t.path < $3";

    public const string Tiles =
        $"SELECT {TileColumns} FROM pcrs_tiles t WHERE {UnderPrefix} AND t.error IS NULL ORDER BY t.path";

    // The && test on boxes matches the catalogue's GiST index on the footprint's bounding box.
    public const string TilesInBox =
        $"SELECT {TileColumns} FROM pcrs_tiles t WHERE {UnderPrefix} AND t.error IS NULL AND t.min_lon IS NOT NULL " +
        "AND box(point(t.min_lon, t.min_lat), point(t.max_lon, t.max_lat)) && box(point($4, $5), point($6, $7)) ORDER BY t.path";

    public const string File =
        "SELECT e.path, e.size, e.modified_at FROM pcrs_entries e WHERE e.storage_key = $1 AND e.path = $2 AND e.kind = 'f'";

    // A value shared by every tile that has one: min = max (NULLs ignored, as count(DISTINCT) would, without its sorts:
    // 2-3 s on 100,000 tiles with count(DISTINCT), one pass without).
    public const string Aggregate =
        "SELECT count(*), sum(t.size), " +
        "CASE WHEN min(t.format) = max(t.format) THEN min(t.format) END, " +
        "CASE WHEN min(t.compression) = max(t.compression) THEN min(t.compression) END, " +
        "CASE WHEN min(t.epsg) = max(t.epsg) THEN min(t.epsg) END, " +
        "CASE WHEN min(array_to_string(t.band_names, ',')) = max(array_to_string(t.band_names, ',')) THEN min(array_to_string(t.band_names, ',')) END, " +
        "min(t.min_lon), min(t.min_lat), max(t.max_lon), max(t.max_lat), max(t.scanned_at) " +
        $"FROM pcrs_tiles t WHERE {UnderPrefix} AND t.error IS NULL";

    public const string ScanStamp = "SELECT s.scan_number, s.status, s.last_success_at FROM pcrs_storages s WHERE s.storage_key = $1";

    public const string Footprints =
        $"SELECT t.footprint::text FROM pcrs_tiles t WHERE {UnderPrefix} AND t.error IS NULL AND t.footprint IS NOT NULL";
}
