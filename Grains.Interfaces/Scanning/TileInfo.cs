namespace Pcrs.Grains.Interfaces.Scanning;

/// <summary>
/// What the scanner knows of one data file, in the shape of the scan verb's JSON line and of the tiles route:
/// <see cref="Path"/> is absolute on the storage, <see cref="GeoTransform"/> in GDAL's convention, <see cref="FootprintGeoJson"/>
/// a GeoJSON Polygon in WGS84 (RFC 7946 order) or null without georeferencing.
/// </summary>
[GenerateSerializer, Immutable, Alias("pcrs.TileInfo")]
public sealed record TileInfo(
    [property: Id(0)] string Path,
    [property: Id(1)] long? Size,
    [property: Id(2)] string? Format,
    [property: Id(3)] int? Width,
    [property: Id(4)] int? Height,
    [property: Id(5)] int? Bands,
    [property: Id(6)] string[] BandNames,
    [property: Id(7)] int? BitsPerSample,
    [property: Id(8)] int? Epsg,
    [property: Id(9)] double[]? GeoTransform,
    [property: Id(10)] double? Resolution,
    [property: Id(11)] string? FootprintGeoJson,
    [property: Id(12)] long BytesRead,
    [property: Id(13)] string? Error,
    [property: Id(14)] string? Classification,
    [property: Id(15)] string? Compression);
