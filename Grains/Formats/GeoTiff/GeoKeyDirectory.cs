namespace Pcrs.Grains.Formats.GeoTiff;

/// <summary>One GeoKey as stored: where its value lives (0 = inline, 34736 = doubles, 34737 = ASCII) and the raw fields.</summary>
public readonly record struct GeoKeyEntry(ushort Id, ushort Location, ushort Count, ushort ValueOffset);

/// <summary>The decoded GeoKeyDirectory (tag 34735) with the keys the scanner interprets resolved.</summary>
public sealed record GeoKeyDirectory
{
    public const ushort GTModelTypeKey = 1024;
    public const ushort GTRasterTypeKey = 1025;
    public const ushort GTCitationKey = 1026;
    public const ushort GeographicTypeKey = 2048;
    public const ushort GeogCitationKey = 2049;
    public const ushort ProjectedCSTypeKey = 3072;
    public const ushort PCSCitationKey = 3073;

    /// <summary>Raster type value meaning the tiepoint names the centre of a pixel.</summary>
    public const int PixelIsPoint = 2;

    /// <summary>Code meaning "user-defined" in GeoTIFF keys: no EPSG code.</summary>
    public const int UserDefined = 32767;

    public int Version { get; init; }
    public int KeyRevision { get; init; }
    public int MinorRevision { get; init; }
    public IReadOnlyList<GeoKeyEntry> Keys { get; init; } = [];

    /// <summary>GTModelTypeGeoKey: 1 projected, 2 geographic, 3 geocentric; null when absent.</summary>
    public int? ModelType { get; init; }

    /// <summary>GTRasterTypeGeoKey: 1 PixelIsArea, 2 PixelIsPoint; null when absent (GDAL then assumes area).</summary>
    public int? RasterType { get; init; }

    public int? ProjectedCrs { get; init; }
    public int? GeographicCrs { get; init; }
    public string? Citation { get; init; }
    public string? GeographicCitation { get; init; }
    public string? ProjectedCitation { get; init; }

    /// <summary>
    /// The EPSG code GDAL reports for the file: the projected CRS when the model is projected, the geographic CRS when it
    /// is geographic; null for user-defined or missing codes.
    /// </summary>
    public int? Epsg
    {
        get
        {
            int? code = ModelType switch
            {
                1 => ProjectedCrs,
                2 => GeographicCrs,
                _ => ProjectedCrs ?? GeographicCrs,
            };
            return code is >= 1024 and < UserDefined ? code : null;
        }
    }

    /// <summary>Decodes the key directory SHORT array; doubles and ASCII params resolve citations when present.</summary>
    public static GeoKeyDirectory Parse(ReadOnlySpan<ushort> directory, string? asciiParams, int maxKeys)
    {
        if (directory.Length < 4)
        {
            throw new FormatReadException($"The GeoKeyDirectory holds {directory.Length} values, fewer than its 4-value header.");
        }

        int declared = directory[3];
        if (declared > maxKeys)
        {
            throw new FormatReadException($"The GeoKeyDirectory declares {declared} keys, more than the {maxKeys} allowed.");
        }

        // A directory shorter than its declared key count is read as far as it goes, like libgeotiff does.
        int available = Math.Min(declared, (directory.Length - 4) / 4);
        var keys = new List<GeoKeyEntry>(available);
        for (int i = 0; i < available; i++)
        {
            ReadOnlySpan<ushort> k = directory.Slice(4 + (4 * i), 4);
            keys.Add(new GeoKeyEntry(k[0], k[1], k[2], k[3]));
        }

        int? Short(ushort id)
        {
            foreach (GeoKeyEntry k in keys)
            {
                if (k.Id == id && k.Location == 0)
                {
                    return k.ValueOffset;
                }
            }

            return null;
        }

        string? Ascii(ushort id)
        {
            if (asciiParams is null)
            {
                return null;
            }

            foreach (GeoKeyEntry k in keys)
            {
                if (k.Id == id && k.Location == TiffTag.GeoAsciiParams && k.ValueOffset < asciiParams.Length)
                {
                    int length = Math.Min(k.Count, asciiParams.Length - k.ValueOffset);
                    return asciiParams.Substring(k.ValueOffset, length).TrimEnd('|', '\0');
                }
            }

            return null;
        }

        return new GeoKeyDirectory
        {
            Version = directory[0],
            KeyRevision = directory[1],
            MinorRevision = directory[2],
            Keys = keys,
            ModelType = Short(GTModelTypeKey),
            RasterType = Short(GTRasterTypeKey),
            ProjectedCrs = Short(ProjectedCSTypeKey),
            GeographicCrs = Short(GeographicTypeKey),
            Citation = Ascii(GTCitationKey),
            GeographicCitation = Ascii(GeogCitationKey),
            ProjectedCitation = Ascii(PCSCitationKey),
        };
    }
}
