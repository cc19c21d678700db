namespace Pcrs.Grains.Formats.GeoTiff;

/// <summary>What one TIFF/GeoTIFF header says, in GDAL's terms where GDAL names things.</summary>
public sealed record GeoTiffInfo
{
    public bool IsBigTiff { get; init; }
    public bool IsLittleEndian { get; init; }
    public long FirstIfdOffset { get; init; }

    /// <summary>IFDs found along the chain (IFD0, overviews, masks), up to the configured cap.</summary>
    public int IfdCount { get; init; }

    public int Width { get; init; }
    public int Height { get; init; }
    public int SamplesPerPixel { get; init; }

    /// <summary>BitsPerSample as stored (12 for GDAL's NBITS=12 UInt16 files), one per sample when the file lists them.</summary>
    public IReadOnlyList<int> BitsPerSample { get; init; } = [];

    public int Compression { get; init; }
    public int? Photometric { get; init; }
    public int PlanarConfig { get; init; }
    public int? TileWidth { get; init; }
    public int? TileLength { get; init; }
    public long? RowsPerStrip { get; init; }
    public IReadOnlyList<int> ExtraSamples { get; init; } = [];
    public int SampleFormat { get; init; }

    public IReadOnlyList<double>? ModelPixelScale { get; init; }

    /// <summary>The first tiepoint (I, J, K, X, Y, Z) only; further tiepoints are never read.</summary>
    public IReadOnlyList<double>? ModelTiepoint { get; init; }

    public int TiepointCount { get; init; }
    public IReadOnlyList<double>? ModelTransformation { get; init; }
    public GeoKeyDirectory? GeoKeys { get; init; }

    /// <summary>GDAL geotransform [x0, dx, rx, y0, ry, dy] (corner of the top-left pixel, PixelIsPoint shift applied).</summary>
    public IReadOnlyList<double>? GeoTransform { get; init; }

    /// <summary>GDAL's AREA_OR_POINT: "Area" or "Point".</summary>
    public string AreaOrPoint { get; init; } = "Area";

    public int? Epsg => GeoKeys?.Epsg;

    /// <summary>GDAL's IMAGE_STRUCTURE COMPRESSION value, or null for uncompressed files (gdalinfo prints none).</summary>
    public string? CompressionName { get; init; }

    /// <summary>GDAL data type name: "Byte", "UInt16", "Int16", "UInt32", "Int32", "Float32", "Float64"…</summary>
    public string DataType { get; init; } = "Byte";

    /// <summary>GDAL colour interpretation per band ("Red", "Green", "Blue", "Alpha", "Gray", "Undefined"…).</summary>
    public IReadOnlyList<string> ColorInterpretations { get; init; } = [];

    /// <summary>Band descriptions from GDAL_METADATA (e.g. "NIR"), null where none; same length as the bands.</summary>
    public IReadOnlyList<string?> BandDescriptions { get; init; } = [];

    public string? GdalMetadataXml { get; init; }

    /// <summary>
    /// The rules of a cloud-optimised GeoTIFF's layout (GDAL's validate_cloud_optimized_geotiff) the file breaks, one
    /// sentence each: empty for a COG; null when the layout could not be read.
    /// </summary>
    public IReadOnlyList<string>? CloudOptimizedProblems { get; init; }

    public bool IsCloudOptimized => CloudOptimizedProblems is { Count: 0 };
    public string? NoData { get; init; }
}
