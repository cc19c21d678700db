using System.Buffers.Binary;
using System.Text;
using Pcrs.Grains.Formats.GeoTiff;

namespace Pcrs.Grains.Formats.Jp2;

/// <summary>
/// Reads what GDAL would report of a JPEG 2000 file from its boxes and codestream main header: the head first, then only
/// the ranges still missing (a metadata box past the head, the codestream header, the geo boxes after the codestream when
/// nothing geographic came before it). Failures are thrown as <see cref="FormatReadException"/> with one clear sentence;
/// a malformed optional box (GeoJP2, GMLJP2) only adds a warning.
/// </summary>
public static class Jp2Reader
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

    private readonly record struct BoxHeader(long Offset, string Type, int HeaderLength, long Length, bool RunsToEnd)
    {
        public long PayloadOffset => Offset + HeaderLength;
        public long PayloadLength => Length - HeaderLength;
        public long End => Offset + Length;
    }

    private static BoxHeader ParseBoxHeader(ReadOnlySpan<byte> bytes, long offset, long? fileLength)
    {
        uint lbox = BinaryPrimitives.ReadUInt32BigEndian(bytes);
        string type = Encoding.Latin1.GetString(bytes.Slice(4, 4));
        int headerLength = 8;
        long length;
        bool runsToEnd = false;
        if (lbox == 1)
        {
            if (bytes.Length < 16)
            {
                throw new FormatReadException($"The JPEG 2000 file is truncated inside the '{Printable(type)}' box header at offset {offset}.");
            }

            ulong xl = BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]);
            headerLength = 16;
            if (xl < 16 || xl > long.MaxValue)
            {
                throw new FormatReadException($"The JPEG 2000 box '{Printable(type)}' at offset {offset} has an invalid length {xl}.");
            }

            length = (long)xl;
        }
        else if (lbox == 0)
        {
            // "Runs to the end of the file": legal for the last box only.
            runsToEnd = true;
            length = fileLength is long total ? total - offset : long.MaxValue - offset;
        }
        else if (lbox < 8)
        {
            throw new FormatReadException($"The JPEG 2000 box '{Printable(type)}' at offset {offset} has an invalid length {lbox}.");
        }
        else
        {
            length = lbox;
        }

        if (fileLength is long size && offset + length > size && type != "jp2c")
        {
            throw new FormatReadException(
                $"The JPEG 2000 file is truncated or corrupt: box '{Printable(type)}' at offset {offset} claims {length} bytes but the file ends at {size}.");
        }

        return new BoxHeader(offset, type, headerLength, length, runsToEnd);
    }

    private static async ValueTask<ReadOnlyMemory<byte>> PayloadAsync(RangeCache cache, BoxHeader box, int cap)
    {
        long wanted = Math.Min(box.PayloadLength, cap);
        ReadOnlyMemory<byte> payload = await cache.GetAsync(box.PayloadOffset, (int)wanted).ConfigureAwait(false);
        if (payload.Length < wanted)
        {
            throw new FormatReadException($"The JPEG 2000 file is truncated inside the '{Printable(box.Type)}' box at offset {box.Offset}.");
        }

        return payload;
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

    /// <summary>Walks the child boxes of a superbox held in memory, calling <paramref name="visit"/> with each child's type and payload.</summary>
    private static void WalkChildren(ReadOnlySpan<byte> payload, Jp2Limits limits, string parent, ChildVisitor visit)
    {
        int position = 0;
        for (int count = 0; position + 8 <= payload.Length; count++)
        {
            if (count >= limits.MaxBoxes)
            {
                throw new FormatReadException($"The JPEG 2000 '{parent}' box holds more than {limits.MaxBoxes} boxes.");
            }

            uint lbox = BinaryPrimitives.ReadUInt32BigEndian(payload[position..]);
            string type = Encoding.Latin1.GetString(payload.Slice(position + 4, 4));
            int header = 8;
            long length = lbox;
            if (lbox == 1)
            {
                if (position + 16 > payload.Length)
                {
                    break;
                }

                ulong xl = BinaryPrimitives.ReadUInt64BigEndian(payload[(position + 8)..]);
                header = 16;
                length = xl > int.MaxValue ? -1 : (long)xl;
            }
            else if (lbox == 0)
            {
                length = payload.Length - position;
            }

            if (length < header || position + length > payload.Length)
            {
                throw new FormatReadException($"The JPEG 2000 box '{Printable(type)}' inside '{parent}' has an invalid length {length}.");
            }

            visit(type, payload.Slice(position + header, (int)length - header));
            position += (int)length;
        }
    }

    private delegate void ChildVisitor(string type, ReadOnlySpan<byte> payload);

    private static void ReadJp2Header(ReadOnlySpan<byte> payload, BoxState state, Jp2Limits limits)
    {
        WalkChildren(payload, limits, "jp2h", (type, body) =>
        {
            switch (type)
            {
                case "ihdr" when body.Length >= 14:
                    state.Height = (int)Math.Min(BinaryPrimitives.ReadUInt32BigEndian(body), int.MaxValue);
                    state.Width = (int)Math.Min(BinaryPrimitives.ReadUInt32BigEndian(body[4..]), int.MaxValue);
                    state.Components = BinaryPrimitives.ReadUInt16BigEndian(body[8..]);
                    state.BitsPerComponent = body[10];
                    break;
                case "colr" when body.Length >= 7 && state.EnumeratedColourSpace is null:
                    if (body[0] == 1)
                    {
                        state.EnumeratedColourSpace = (int)Math.Min(BinaryPrimitives.ReadUInt32BigEndian(body[3..]), int.MaxValue);
                    }

                    break;
                case "cdef" when body.Length >= 2:
                    int channels = BinaryPrimitives.ReadUInt16BigEndian(body);
                    for (int i = 0; i < channels && 2 + 6 * i + 6 <= body.Length; i++)
                    {
                        int channel = BinaryPrimitives.ReadUInt16BigEndian(body[(2 + 6 * i)..]);
                        int kind = BinaryPrimitives.ReadUInt16BigEndian(body[(4 + 6 * i)..]);
                        if (kind is 1 or 2)
                        {
                            state.OpacityChannels.Add(channel);
                        }
                    }

                    break;
            }
        });
    }

    private static async ValueTask ReadUuidAsync(RangeCache cache, BoxHeader box, BoxState state, Jp2Limits limits, bool afterCodestream)
    {
        if (box.PayloadLength < 16 || state.GeoJp2?.Epsg is not null)
        {
            return;
        }

        ReadOnlyMemory<byte> id = await cache.GetAsync(box.PayloadOffset, 16).ConfigureAwait(false);
        if (id.Length < 16 || !id.Span.SequenceEqual(GeoJp2Uuid))
        {
            return;
        }

        if (box.PayloadLength > limits.MaxMetadataBoxBytes)
        {
            state.Warnings.Add($"A GeoJP2 box of {box.PayloadLength} bytes at offset {box.Offset} was skipped (larger than {limits.MaxMetadataBoxBytes}).");
            return;
        }

        ReadOnlyMemory<byte> payload = await PayloadAsync(cache, box, limits.MaxMetadataBoxBytes).ConfigureAwait(false);
        try
        {
            GeoTiffInfo geo = GeoTiffReader.Decode(payload[16..]);
            // ERDAS writes two such boxes; GDAL keeps the first one that carries a usable CRS.
            if (state.GeoJp2 is null || (state.GeoJp2.Epsg is null && geo.Epsg is not null))
            {
                state.GeoJp2 = geo;
                state.GeoAfterCodestream |= afterCodestream;
            }
        }
        catch (FormatReadException e)
        {
            state.Warnings.Add($"The GeoJP2 box at offset {box.Offset} was ignored: {e.Message}");
        }
    }

    private static void ReadAsoc(ReadOnlySpan<byte> payload, BoxState state, Jp2Limits limits, bool afterCodestream)
    {
        // asoc { lbl "gml.data", asoc { lbl "gml.root-instance", xml <document> }, ... }
        string? label = null;
        string? document = null;
        WalkChildren(payload, limits, "asoc", (type, body) =>
        {
            if (type == "lbl ")
            {
                label = Encoding.UTF8.GetString(body).TrimEnd('\0');
            }
            else if (type == "asoc" && label == "gml.data" && document is null)
            {
                string? innerLabel = null;
                string? innerXml = null;
                WalkChildren(body, limits, "asoc", (innerType, innerBody) =>
                {
                    if (innerType == "lbl ")
                    {
                        innerLabel = Encoding.UTF8.GetString(innerBody).TrimEnd('\0');
                    }
                    else if (innerType == "xml " && innerLabel == "gml.root-instance" && innerXml is null)
                    {
                        innerXml = Encoding.UTF8.GetString(innerBody).TrimEnd('\0', ' ', '\n', '\r', '\t');
                    }
                });
                document = innerXml;
            }
        });

        if (document is null)
        {
            return;
        }

        GmlJp2Georeference.Result? result = GmlJp2Georeference.Parse(document);
        if (result is null)
        {
            state.Warnings.Add("The GMLJP2 document has no usable RectifiedGrid and was ignored.");
            return;
        }

        state.Gml = result;
        state.GeoAfterCodestream |= afterCodestream;
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

    /// <summary>GDAL's colour interpretation for JP2OpenJPEG bands: from colr and cdef; a raw codestream has none.</summary>
    private static string[] ColourInterpretations(bool raw, int components, BoxState state)
    {
        var names = new string[Math.Min(components, 16384)];
        for (int i = 0; i < names.Length; i++)
        {
            names[i] = "Undefined";
        }

        if (raw)
        {
            return names;
        }

        bool rgb = state.EnumeratedColourSpace is 16 or 18 or 20 or 21 && components >= 3;
        bool grey = state.EnumeratedColourSpace is 17;
        if (rgb)
        {
            names[0] = "Red";
            names[1] = "Green";
            names[2] = "Blue";
        }
        else if (grey && components >= 1)
        {
            names[0] = "Gray";
        }

        foreach (int channel in state.OpacityChannels)
        {
            if (channel < names.Length && (rgb ? channel >= 3 : channel >= 1))
            {
                names[channel] = "Alpha";
            }
        }

        return names;
    }

    private static string Printable(string type) => new(type.Select(c => c is >= ' ' and <= '~' ? c : '?').ToArray());
}
