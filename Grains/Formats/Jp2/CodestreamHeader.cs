using System.Buffers.Binary;

namespace Pcrs.Grains.Formats.Jp2;

/// <summary>The codestream main header fields the scanner reports: SIZ (size, tiles, components) and COD (levels, layers, wavelet).</summary>
internal sealed record CodestreamHeader(
    int Width,
    int Height,
    int TileWidth,
    int TileHeight,
    long TileCount,
    int Components,
    int BitDepth,
    bool IsSigned,
    int? DecompositionLevels,
    int? QualityLayers,
    bool? Reversible,
    string? Progression)
{
    private const ushort Soc = 0xFF4F;
    private const ushort Siz = 0xFF51;
    private const ushort Cod = 0xFF52;
    private const ushort Sot = 0xFF90;
    private const int MaxComponents = 16384;
    private const int MaxMarkers = 256;

    /// <summary>Bytes that hold SIZ and, in every writer seen, COD too (GDAL/OpenJPEG: COD at byte 49 for 3 components).</summary>
    public const int TypicalMainHeaderBytes = 2048;

    private static readonly string[] Progressions = ["LRCP", "RLCP", "RPCL", "PCRL", "CPRL"];

    /// <summary>
    /// Parses the main header from <paramref name="data"/>, which starts at SOC. COD fields stay null when COD is not within
    /// the bytes given (the caller decides whether to fetch more). Throws <see cref="FormatReadException"/> when SIZ is invalid.
    /// </summary>
    public static CodestreamHeader Parse(ReadOnlySpan<byte> data, out bool codFound)
    {
        codFound = false;
        if (data.Length < 4 || BinaryPrimitives.ReadUInt16BigEndian(data) != Soc)
        {
            throw new FormatReadException("The JPEG 2000 codestream does not start with the SOC marker.");
        }

        if (BinaryPrimitives.ReadUInt16BigEndian(data[2..]) != Siz)
        {
            throw new FormatReadException("The JPEG 2000 codestream has no SIZ marker right after SOC.");
        }

        if (data.Length < 42)
        {
            throw new FormatReadException("The JPEG 2000 codestream is truncated inside its SIZ marker.");
        }

        int lsiz = BinaryPrimitives.ReadUInt16BigEndian(data[4..]);
        uint xsiz = U32(data, 8), ysiz = U32(data, 12), xosiz = U32(data, 16), yosiz = U32(data, 20);
        uint xtsiz = U32(data, 24), ytsiz = U32(data, 28), xtosiz = U32(data, 32), ytosiz = U32(data, 36);
        int csiz = BinaryPrimitives.ReadUInt16BigEndian(data[40..]);
        if (csiz is 0 or > MaxComponents || lsiz != 38 + 3 * csiz)
        {
            throw new FormatReadException($"The JPEG 2000 SIZ marker is inconsistent (length {lsiz} for {csiz} components).");
        }

        if (xsiz <= xosiz || ysiz <= yosiz || xsiz - xosiz > int.MaxValue || ysiz - yosiz > int.MaxValue)
        {
            throw new FormatReadException($"The JPEG 2000 image area {xsiz}x{ysiz} with origin {xosiz},{yosiz} is empty or too large.");
        }

        if (xtsiz == 0 || ytsiz == 0 || xtosiz > xosiz || ytosiz > yosiz || xtsiz + (ulong)xtosiz <= xosiz || ytsiz + (ulong)ytosiz <= yosiz)
        {
            throw new FormatReadException($"The JPEG 2000 tile grid {xtsiz}x{ytsiz} at {xtosiz},{ytosiz} is not valid.");
        }

        if (data.Length < 42 + 3)
        {
            throw new FormatReadException("The JPEG 2000 codestream is truncated inside its SIZ marker.");
        }

        byte ssiz = data[42];
        int depth = (ssiz & 0x7F) + 1;
        if (depth > 38)
        {
            throw new FormatReadException($"The JPEG 2000 component depth {depth} bits is not valid.");
        }

        long tilesX = (long)Math.Ceiling((xsiz - (double)xtosiz) / xtsiz);
        long tilesY = (long)Math.Ceiling((ysiz - (double)ytosiz) / ytsiz);
        var header = new CodestreamHeader(
            (int)(xsiz - xosiz), (int)(ysiz - yosiz),
            (int)Math.Min(xtsiz, int.MaxValue), (int)Math.Min(ytsiz, int.MaxValue), tilesX * tilesY,
            csiz, depth, (ssiz & 0x80) != 0, null, null, null, null);

        // Walk the marker segments after SIZ up to the first tile-part (SOT) looking for COD.
        int position = 4 + lsiz;
        for (int markers = 0; markers < MaxMarkers && position + 4 <= data.Length; markers++)
        {
            ushort marker = BinaryPrimitives.ReadUInt16BigEndian(data[position..]);
            if (marker == Sot || (marker >> 8) != 0xFF)
            {
                break;
            }

            int length = BinaryPrimitives.ReadUInt16BigEndian(data[(position + 2)..]);
            if (length < 2)
            {
                break;
            }

            if (marker == Cod && position + 2 + length <= data.Length && length >= 12)
            {
                ReadOnlySpan<byte> body = data.Slice(position + 4, length - 2);
                byte progression = body[1];
                codFound = true;
                return header with
                {
                    Progression = progression < Progressions.Length ? Progressions[progression] : null,
                    QualityLayers = BinaryPrimitives.ReadUInt16BigEndian(body[2..]),
                    DecompositionLevels = body[5],
                    Reversible = body[9] == 1,
                };
            }

            position += 2 + length;
        }

        return header;
    }

    private static uint U32(ReadOnlySpan<byte> data, int offset) => BinaryPrimitives.ReadUInt32BigEndian(data[offset..]);
}
