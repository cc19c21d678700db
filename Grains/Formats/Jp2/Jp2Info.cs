namespace Pcrs.Grains.Formats.Jp2;

/// <summary>What the header of a JPEG 2000 file (JP2 boxes or raw codestream) says, in GDAL's terms where GDAL names things.</summary>
public sealed record Jp2Info
{
    /// <summary>True for a raw codestream (.j2k/.j2c/.jpc): no boxes, so no colour space and no georeferencing inside.</summary>
    public bool IsRawCodestream { get; init; }

    /// <summary>ftyp brand: "jp2 ", "jpx ", "jph "; null for a raw codestream.</summary>
    public string? Brand { get; init; }

    public int Width { get; init; }
    public int Height { get; init; }
    public int Components { get; init; }

    /// <summary>Bit depth of the first component (1–38).</summary>
    public int BitDepth { get; init; }

    public bool IsSigned { get; init; }

    /// <summary>GDAL data type name derived from depth and sign: "Byte", "UInt16", "Int16", "UInt32", "Int32".</summary>
    public string DataType { get; init; } = "Byte";

    /// <summary>colr enumerated colour space (16 sRGB, 17 greyscale, 18 sYCC…), null when absent or ICC.</summary>
    public int? EnumeratedColourSpace { get; init; }

    /// <summary>GDAL colour interpretation per component ("Red", "Green", "Blue", "Alpha", "Gray", "Undefined").</summary>
    public IReadOnlyList<string> ColorInterpretations { get; init; } = [];

    public int TileWidth { get; init; }
    public int TileHeight { get; init; }
    public long TileCount { get; init; }

    /// <summary>Wavelet decomposition levels (resolutions − 1).</summary>
    public int DecompositionLevels { get; init; }

    public int QualityLayers { get; init; }

    /// <summary>5/3 reversible wavelet: GDAL's COMPRESSION_REVERSIBILITY=LOSSLESS; 9/7 irreversible: LOSSY. Null when COD was not found.</summary>
    public bool? Reversible { get; init; }

    /// <summary>"LRCP", "RLCP", "RPCL", "PCRL", "CPRL".</summary>
    public string? Progression { get; init; }

    /// <summary>GDAL geotransform from the boxes (GeoJP2 first, then GMLJP2, GDAL's internal order); null when none.</summary>
    public IReadOnlyList<double>? GeoTransform { get; init; }

    public int? Epsg { get; init; }

    /// <summary>WKT or citation when the CRS has no EPSG code we know of (kept for diagnostics).</summary>
    public string? CrsDescription { get; init; }

    /// <summary>"GeoJP2", "GMLJP2", "GeoJP2+GMLJP2" (geotransform source first), or null.</summary>
    public string? GeoreferenceSource { get; init; }

    /// <summary>1 or 2 when a GMLJP2 box was found.</summary>
    public int? GmlJp2Version { get; init; }

    public bool HasGeoJp2 { get; init; }

    /// <summary>True when the geo boxes were found after the codestream (GEOBOXES_AFTER_JP2C or edited files).</summary>
    public bool GeoBoxesAfterCodestream { get; init; }

    /// <summary>Offset of the codestream (SOC marker) in the file.</summary>
    public long CodestreamOffset { get; init; }

    /// <summary>End of the jp2c box, null when it runs to the end of the file (LBox = 0) or for a raw codestream.</summary>
    public long? CodestreamEnd { get; init; }

    /// <summary>Notes on parts that were skipped (a malformed GeoJP2 box, an unreadable GMLJP2 document…).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    public long BytesRead { get; init; }
}
