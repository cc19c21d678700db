using System.Buffers.Binary;
using System.Text;

namespace Pcrs.Grains.Formats.Jp2;

/// <summary>Box framing: a box's header, its payload within a cap, and the children of a superbox held in memory.</summary>
public static partial class Jp2Reader
{
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

    private static string Printable(string type) => new(type.Select(c => c is >= ' ' and <= '~' ? c : '?').ToArray());
}
