namespace Pcrs.WebFront.Exports;

/// <summary>Mappings of the géostandard PCRS used by the export files.</summary>
public static class PcrsVocabulary
{
    /// <summary>CalendrierPCRSType: 03 planned, 02 in production, 01 done (the platform's mapping of step statuses).</summary>
    public static string? Calendrier(string? status) => status switch
    {
        "investigation" or "convention_signee" or "marche_public_en_cours" => "03",
        "prod_en_cours" or "controle_en_cours" => "02",
        "realise" or "disponible" or "obsolete" => "01",
        _ => null,
    };

    /// <summary>Media type of an image format as the géostandard writes it.</summary>
    public static string? MediaType(string? format) => format?.ToUpperInvariant() switch
    {
        "JPEG2000" => "image/jp2",
        "GEOTIFF" or "TIFF" => "image/tiff",
        null => null,
        _ => null,
    };

    /// <summary>GDAL data type name of a band from its bit depth, as in "Red(Byte)".</summary>
    public static string DataType(int? bitsPerSample) => bitsPerSample switch
    {
        <= 8 and > 0 => "Byte",
        <= 16 and > 8 => "UInt16",
        <= 32 and > 16 => "UInt32",
        _ => "Unknown",
    };

    public static string? Epsg(int? code) => code is { } c ? $"EPSG:{c}" : null;
}
