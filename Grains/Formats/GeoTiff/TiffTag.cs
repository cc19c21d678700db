namespace Pcrs.Grains.Formats.GeoTiff;

/// <summary>The TIFF and GeoTIFF tag numbers the scanner reads (TIFF 6.0, OGC GeoTIFF 1.1, GDAL private tags).</summary>
public static class TiffTag
{
    public const ushort NewSubfileType = 254;
    public const ushort ImageWidth = 256;
    public const ushort ImageLength = 257;
    public const ushort BitsPerSample = 258;
    public const ushort Compression = 259;
    public const ushort Photometric = 262;
    public const ushort StripOffsets = 273;
    public const ushort SamplesPerPixel = 277;
    public const ushort RowsPerStrip = 278;
    public const ushort StripByteCounts = 279;
    public const ushort PlanarConfig = 284;
    public const ushort TileWidth = 322;
    public const ushort TileLength = 323;
    public const ushort TileOffsets = 324;
    public const ushort TileByteCounts = 325;
    public const ushort ExtraSamples = 338;
    public const ushort SampleFormat = 339;
    public const ushort ModelPixelScale = 33550;
    public const ushort ModelTiepoint = 33922;
    public const ushort ModelTransformation = 34264;
    public const ushort GeoKeyDirectory = 34735;
    public const ushort GeoDoubleParams = 34736;
    public const ushort GeoAsciiParams = 34737;
    public const ushort GdalMetadata = 42112;
    public const ushort GdalNoData = 42113;
}

/// <summary>TIFF field types and their sizes in bytes (BigTIFF adds the 8-byte ones).</summary>
public static class TiffFieldType
{
    public const ushort Byte = 1;
    public const ushort Ascii = 2;
    public const ushort Short = 3;
    public const ushort Long = 4;
    public const ushort Rational = 5;
    public const ushort SByte = 6;
    public const ushort Undefined = 7;
    public const ushort SShort = 8;
    public const ushort SLong = 9;
    public const ushort SRational = 10;
    public const ushort Float = 11;
    public const ushort Double = 12;
    public const ushort Ifd = 13;
    public const ushort Long8 = 16;
    public const ushort SLong8 = 17;
    public const ushort Ifd8 = 18;

    /// <summary>Size of one value, or 0 for a type this reader does not know (such entries are ignored, as libtiff does).</summary>
    public static int SizeOf(ushort type) => type switch
    {
        Byte or Ascii or SByte or Undefined => 1,
        Short or SShort => 2,
        Long or SLong or Float or Ifd => 4,
        Rational or SRational or Double or Long8 or SLong8 or Ifd8 => 8,
        _ => 0,
    };
}
