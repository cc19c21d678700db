using System.Buffers.Binary;
using System.Text;
using Pcrs.Grains.Formats.GeoTiff;

namespace Pcrs.Grains.Formats.Jp2;

/// <summary>What the boxes say: the jp2h header (size, colour, channels), the GeoJP2 UUID, GMLJP2 associations, and GDAL's band colours.</summary>
public static partial class Jp2Reader
{
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
}
