using System.Buffers.Binary;

namespace Pcrs.Formats.Tests.GeoTiff;

/// <summary>
/// Writes small hand-made classic little-endian TIFFs for malformed-input tests: an IFD at a chosen offset with
/// the entries given as raw (tag, type, count, value-or-offset) quadruples.
/// </summary>
internal sealed class TiffBuilder
{
    private readonly List<(ushort Tag, ushort Type, uint Count, uint Value)> _entries = [];

    public uint IfdOffset { get; set; } = 8;

    public uint NextIfd { get; set; }

    /// <summary>Overrides the entry count written in the IFD (to claim more entries than are present).</summary>
    public ushort? DeclaredCount { get; set; }

    public int MinLength { get; set; }

    public TiffBuilder Entry(ushort tag, ushort type, uint count, uint value)
    {
        _entries.Add((tag, type, count, value));
        return this;
    }

    /// <summary>A minimal valid 16x16 8-bit grey image (no strips needed by a header reader).</summary>
    public static TiffBuilder Minimal() => new TiffBuilder()
        .Entry(256, 3, 1, 16)
        .Entry(257, 3, 1, 16)
        .Entry(258, 3, 1, 8)
        .Entry(262, 3, 1, 1);

    public byte[] Build()
    {
        int ifdLength = 2 + (_entries.Count * 12) + 4;
        int length = Math.Max((int)IfdOffset + ifdLength, MinLength);
        byte[] data = new byte[length];
        "II"u8.CopyTo(data);
        BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(2), 42);
        BinaryPrimitives.WriteUInt32LittleEndian(data.AsSpan(4), IfdOffset);
        Span<byte> ifd = data.AsSpan((int)IfdOffset);
        BinaryPrimitives.WriteUInt16LittleEndian(ifd, DeclaredCount ?? (ushort)_entries.Count);
        for (int i = 0; i < _entries.Count; i++)
        {
            Span<byte> e = ifd.Slice(2 + (12 * i), 12);
            BinaryPrimitives.WriteUInt16LittleEndian(e, _entries[i].Tag);
            BinaryPrimitives.WriteUInt16LittleEndian(e[2..], _entries[i].Type);
            BinaryPrimitives.WriteUInt32LittleEndian(e[4..], _entries[i].Count);
            BinaryPrimitives.WriteUInt32LittleEndian(e[8..], _entries[i].Value);
        }

        BinaryPrimitives.WriteUInt32LittleEndian(ifd[(2 + (12 * _entries.Count))..], NextIfd);
        return data;
    }

    /// <summary>A BigTIFF header whose first IFD declares <paramref name="entries"/> entries (and holds none).</summary>
    public static byte[] BigTiffClaimingEntries(ulong entries)
    {
        byte[] data = new byte[64];
        "II"u8.CopyTo(data);
        BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(2), 43);
        BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(4), 8);
        BinaryPrimitives.WriteUInt64LittleEndian(data.AsSpan(8), 16);
        BinaryPrimitives.WriteUInt64LittleEndian(data.AsSpan(16), entries);
        return data;
    }
}
