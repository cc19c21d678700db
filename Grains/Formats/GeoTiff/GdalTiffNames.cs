namespace Pcrs.Grains.Formats.GeoTiff;

/// <summary>The names GDAL's GTiff driver gives to compressions, data types and band colour interpretations.</summary>
public static class GdalTiffNames
{
    private const int PhotometricMinIsWhite = 0;
    private const int PhotometricMinIsBlack = 1;
    private const int PhotometricRgb = 2;
    private const int PhotometricPalette = 3;
    private const int PhotometricSeparated = 5;
    private const int PhotometricYCbCr = 6;
    private const int CompressionJpeg = 7;

    /// <summary>
    /// GDAL's IMAGE_STRUCTURE COMPRESSION value; null for uncompressed data, for which gdalinfo prints no compression.
    /// JPEG over YCbCr is "YCbCr JPEG", as gdalinfo reports it.
    /// </summary>
    public static string? Compression(int code, int? photometric) => code switch
    {
        1 => null,
        2 => "CCITTRLE",
        3 => "CCITTFAX3",
        4 => "CCITTFAX4",
        5 => "LZW",
        6 => "OJPEG",
        CompressionJpeg => photometric == PhotometricYCbCr ? "YCbCr JPEG" : "JPEG",
        8 or 32946 => "DEFLATE",
        32773 => "PACKBITS",
        32909 => "PIXARLOG",
        34661 => "JBIG",
        34676 => "SGILOG",
        34677 => "SGILOG24",
        34712 => "JP2000",
        34887 => "LERC",
        34925 => "LZMA",
        50000 => "ZSTD",
        50001 => "WEBP",
        50002 or 52546 => "JXL",
        _ => $"Unknown ({code})",
    };

    /// <summary>GDAL data type from SampleFormat (1 unsigned, 2 signed, 3 float, 5/6 complex) and bits per sample.</summary>
    public static string DataType(int sampleFormat, int bits) => (sampleFormat, bits) switch
    {
        (2, <= 8) => "Int8",
        (2, <= 16) => "Int16",
        (2, <= 32) => "Int32",
        (2, _) => "Int64",
        (3, <= 32) => "Float32",
        (3, _) => "Float64",
        (5, <= 32) => "CInt16",
        (5, _) => "CInt32",
        (6, <= 64) => "CFloat32",
        (6, _) => "CFloat64",
        (_, <= 8) => "Byte",
        (_, <= 16) => "UInt16",
        (_, <= 32) => "UInt32",
        _ => "UInt64",
    };

    /// <summary>
    /// GDAL's colour interpretation of each band from Photometric and ExtraSamples (GTiffRasterBand's rules): RGB gives
    /// Red, Green, Blue; YCbCr read through JPEG is converted to RGB by GDAL; MinIsBlack gives Gray; extra samples marked
    /// as alpha give Alpha, other extra samples Undefined.
    /// </summary>
    public static IReadOnlyList<string> ColorInterpretations(int bands, int? photometric, int compression, IReadOnlyList<int> extraSamples)
    {
        var names = new string[bands];
        int baseSamples = Math.Max(0, bands - extraSamples.Count);
        for (int i = 0; i < bands; i++)
        {
            names[i] = "Undefined";
            if (i >= baseSamples)
            {
                int extra = extraSamples[i - baseSamples];
                names[i] = extra is 1 or 2 ? "Alpha" : "Undefined";
                continue;
            }

            switch (photometric)
            {
                case PhotometricRgb when i < 3:
                    names[i] = RgbName(i);
                    break;
                case PhotometricYCbCr when i < 3:
                    names[i] = compression == CompressionJpeg ? RgbName(i) : i switch { 0 => "YCbCr_Y", 1 => "YCbCr_Cb", _ => "YCbCr_Cr" };
                    break;
                case PhotometricMinIsBlack or PhotometricMinIsWhite when i == 0:
                    names[i] = "Gray";
                    break;
                case PhotometricPalette when i == 0:
                    names[i] = "Palette";
                    break;
                case PhotometricSeparated when bands >= 4 && i < 4:
                    names[i] = i switch { 0 => "Cyan", 1 => "Magenta", 2 => "Yellow", _ => "Black" };
                    break;
                case null when i == 0:
                    names[i] = "Gray";
                    break;
            }
        }

        return names;
    }

    private static string RgbName(int i) => i switch { 0 => "Red", 1 => "Green", _ => "Blue" };
}
