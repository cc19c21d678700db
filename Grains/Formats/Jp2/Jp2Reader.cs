using System.Text;
using Pcrs.Grains.Formats.GeoTiff;

namespace Pcrs.Grains.Formats.Jp2;

/// <summary>
/// Reads what GDAL would report of a JPEG 2000 file from its boxes and codestream main header: the head first, then only
/// the ranges still missing (a metadata box past the head, the codestream header, the geo boxes after the codestream when
/// nothing geographic came before it). Failures are thrown as <see cref="FormatReadException"/> with one clear sentence;
/// a malformed optional box (GeoJP2, GMLJP2) only adds a warning.
/// </summary>
public static partial class Jp2Reader
{
    private static ReadOnlySpan<byte> Signature => [0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20, 0x0D, 0x0A, 0x87, 0x0A];

    private static ReadOnlySpan<byte> GeoJp2Uuid => [0xB1, 0x4B, 0xF8, 0xBD, 0x08, 0x3D, 0x4B, 0x43, 0xA5, 0xAE, 0x8C, 0xD7, 0xD5, 0xA6, 0xCE, 0x03];

    /// <summary>True when the first bytes are a JP2 signature box or a raw codestream (SOC then SIZ).</summary>
    public static bool HasSignature(ReadOnlySpan<byte> head) => head.StartsWith(Signature) || IsRawCodestream(head);

    private static bool IsRawCodestream(ReadOnlySpan<byte> head) =>
        head.Length >= 4 && head[0] == 0xFF && head[1] == 0x4F && head[2] == 0xFF && head[3] == 0x51;

    public static async Task<Jp2Info> ReadAsync(IRangeReader file, Jp2Limits? limits, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(file);
        limits ??= Jp2Limits.Default;
        var cache = new RangeCache(file, limits.ByteBudget, cancellationToken);
        ReadOnlyMemory<byte> head = await cache.GetAsync(0, 16, fetchAtLeast: limits.HeadBytes).ConfigureAwait(false);
        if (head.IsEmpty)
        {
            throw new FormatReadException("The file is empty.");
        }

        if (IsRawCodestream(head.Span))
        {
            CodestreamHeader raw = await ReadCodestreamHeaderAsync(cache, 0).ConfigureAwait(false);
            return Build(raw, brand: null, state: new BoxState(), codestreamOffset: 0, codestreamEnd: null, cache) with { IsRawCodestream = true };
        }

        if (!head.Span.StartsWith(Signature))
        {
            throw new FormatReadException("The file is not JPEG 2000: it has neither the JP2 signature box nor a codestream SOC/SIZ header.");
        }

        return await WalkAsync(cache, limits).ConfigureAwait(false);
    }

    private sealed class BoxState
    {
        public int? Height, Width, Components, BitsPerComponent, EnumeratedColourSpace;
        public HashSet<int> OpacityChannels { get; } = [];
        public GeoTiffInfo? GeoJp2;
        public GmlJp2Georeference.Result? Gml;
        public bool GeoAfterCodestream;
        public List<string> Warnings { get; } = [];

        public bool HasGeoreference => GeoJp2?.GeoTransform is not null || Gml is not null;
    }

    private static async Task<Jp2Info> WalkAsync(RangeCache cache, Jp2Limits limits)
    {
        var state = new BoxState();
        string? brand = null;
        CodestreamHeader? codestream = null;
        long codestreamOffset = 0;
        long? codestreamEnd = null;
        long position = 0;

        for (int index = 0; ; index++)
        {
            if (index >= limits.MaxBoxes)
            {
                throw new FormatReadException($"The JPEG 2000 file has more than {limits.MaxBoxes} boxes.");
            }

            if (cache.Length is long length && position >= length)
            {
                break;
            }

            // After the codestream, fetch the tail in one request: that is where GEOBOXES_AFTER_JP2C and edited files put them.
            int fetch = codestream is null ? RangeCache.MinimumFetch : limits.TailBytes;
            ReadOnlyMemory<byte> headerBytes = await cache.GetAsync(position, 16, fetch).ConfigureAwait(false);
            if (headerBytes.Length < 8)
            {
                if (codestream is not null)
                {
                    // Trailing garbage shorter than a box header after a complete codestream: GDAL ignores it too.
                    break;
                }

                throw new FormatReadException($"The JPEG 2000 file is truncated: box header at offset {position} is incomplete.");
            }

            BoxHeader box = ParseBoxHeader(headerBytes.Span, position, cache.Length);
            if (index == 0 && box.Type != "jP  ")
            {
                throw new FormatReadException("The JPEG 2000 signature box is not first.");
            }

            if (index == 1 && box.Type != "ftyp")
            {
                throw new FormatReadException($"The JPEG 2000 file has '{Printable(box.Type)}' where the ftyp box must be (offset {position}).");
            }

            bool afterCodestream = codestream is not null;
            switch (box.Type)
            {
                case "ftyp":
                    ReadOnlyMemory<byte> ftyp = await PayloadAsync(cache, box, 1024).ConfigureAwait(false);
                    brand = ftyp.Length >= 4 ? Encoding.ASCII.GetString(ftyp.Span[..4]) : null;
                    break;
                case "jp2h":
                    ReadJp2Header((await PayloadAsync(cache, box, 64 * 1024).ConfigureAwait(false)).Span, state, limits);
                    break;
                case "uuid":
                    await ReadUuidAsync(cache, box, state, limits, afterCodestream).ConfigureAwait(false);
                    break;
                case "asoc" when state.Gml is null:
                    if (box.PayloadLength > limits.MaxMetadataBoxBytes)
                    {
                        state.Warnings.Add($"An asoc box of {box.PayloadLength} bytes at offset {box.Offset} was skipped (larger than {limits.MaxMetadataBoxBytes}).");
                        break;
                    }

                    ReadAsoc((await PayloadAsync(cache, box, limits.MaxMetadataBoxBytes).ConfigureAwait(false)).Span, state, limits, afterCodestream);
                    break;
                case "jp2c":
                    if (codestream is not null)
                    {
                        // A second codestream (JPX): GDAL opens the first.
                        break;
                    }

                    codestreamOffset = box.PayloadOffset;
                    codestream = await ReadCodestreamHeaderAsync(cache, codestreamOffset).ConfigureAwait(false);
                    codestreamEnd = box.RunsToEnd ? null : box.End;
                    break;
            }

            if (codestream is not null && (state.HasGeoreference || box.RunsToEnd || codestreamEnd is null))
            {
                // Geo boxes are read after the codestream only when none came before it.
                break;
            }

            position = box.End;
        }

        if (codestream is null)
        {
            throw new FormatReadException("The JPEG 2000 file has no codestream (jp2c box).");
        }

        return Build(codestream, brand, state, codestreamOffset, codestreamEnd, cache);
    }

    private static async ValueTask<CodestreamHeader> ReadCodestreamHeaderAsync(RangeCache cache, long offset)
    {
        // Most files have SIZ and COD within the bytes the head read already brought (GDAL: COD ends 70 bytes in).
        ReadOnlyMemory<byte> held = cache.Held(offset, CodestreamHeader.TypicalMainHeaderBytes);
        if (held.Length >= 256)
        {
            CodestreamHeader fromHead = CodestreamHeader.Parse(held.Span, out bool found);
            if (found)
            {
                return fromHead;
            }
        }

        ReadOnlyMemory<byte> bytes = await cache.GetAsync(offset, CodestreamHeader.TypicalMainHeaderBytes).ConfigureAwait(false);
        CodestreamHeader header = CodestreamHeader.Parse(bytes.Span, out bool codFound);
        if (!codFound && bytes.Length == CodestreamHeader.TypicalMainHeaderBytes)
        {
            // Long main headers (TLM/PLM/PPM before COD) are rare; one wider read settles it.
            bytes = await cache.GetAsync(offset, 64 * 1024).ConfigureAwait(false);
            header = CodestreamHeader.Parse(bytes.Span, out _);
        }

        return header;
    }

    private static Jp2Info Build(CodestreamHeader codestream, string? brand, BoxState state, long codestreamOffset, long? codestreamEnd, RangeCache cache)
    {
        bool raw = brand is null && state.Components is null;
        int components = codestream.Components;
        string dataType = codestream.BitDepth switch
        {
            <= 8 => "Byte",
            <= 16 => codestream.IsSigned ? "Int16" : "UInt16",
            _ => codestream.IsSigned ? "Int32" : "UInt32",
        };

        IReadOnlyList<double>? geoTransform = state.GeoJp2?.GeoTransform ?? state.Gml?.GeoTransform;
        int? epsg = state.GeoJp2?.Epsg ?? state.Gml?.Epsg;
        string? source = (state.GeoJp2?.GeoTransform, state.Gml) switch
        {
            (not null, not null) => "GeoJP2+GMLJP2",
            (not null, null) => "GeoJP2",
            (null, not null) => "GMLJP2",
            _ => null,
        };

        return new Jp2Info
        {
            Brand = brand,
            Width = codestream.Width,
            Height = codestream.Height,
            Components = components,
            BitDepth = codestream.BitDepth,
            IsSigned = codestream.IsSigned,
            DataType = dataType,
            EnumeratedColourSpace = state.EnumeratedColourSpace,
            ColorInterpretations = ColourInterpretations(raw, components, state),
            TileWidth = Math.Min(codestream.TileWidth, codestream.Width),
            TileHeight = Math.Min(codestream.TileHeight, codestream.Height),
            TileCount = codestream.TileCount,
            DecompositionLevels = codestream.DecompositionLevels ?? 0,
            QualityLayers = codestream.QualityLayers ?? 0,
            Reversible = codestream.Reversible,
            Progression = codestream.Progression,
            GeoTransform = geoTransform,
            Epsg = epsg,
            CrsDescription = epsg is null ? state.Gml?.SrsName : null,
            GeoreferenceSource = source,
            GmlJp2Version = state.Gml?.Version,
            HasGeoJp2 = state.GeoJp2 is not null,
            GeoBoxesAfterCodestream = state.GeoAfterCodestream,
            CodestreamOffset = codestreamOffset,
            CodestreamEnd = codestreamEnd,
            Warnings = state.Warnings,
            BytesRead = cache.BytesRead,
        };
    }

}
