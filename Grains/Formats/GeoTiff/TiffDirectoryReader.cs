using System.Text;

namespace Pcrs.Grains.Formats.GeoTiff;

/// <summary>
/// Bounded walk of a TIFF or BigTIFF file: header, the first IFD wherever the header points, its entry table, then
/// only the tag values asked for. Strip and tile offset arrays are never fetched. Every count and offset read from the
/// file is checked against <see cref="TiffLimits"/> and the file length before it is used.
/// </summary>
internal sealed class TiffDirectoryReader
{
    private readonly IRangeReader _file;
    private readonly TiffLimits _limits;
    private readonly CancellationToken _ct;

    private TiffDirectoryReader(IRangeReader file, TiffLimits limits, bool bigTiff, TiffByteOrder order, CancellationToken ct)
    {
        _file = file;
        _limits = limits;
        IsBigTiff = bigTiff;
        Order = order;
        _ct = ct;
    }

    public bool IsBigTiff { get; }

    public TiffByteOrder Order { get; }

    private int EntrySize => IsBigTiff ? 20 : 12;

    /// <summary>Checks the header bytes and returns a reader positioned on the first IFD offset.</summary>
    public static async ValueTask<(TiffDirectoryReader Reader, long FirstIfdOffset)> OpenAsync(
        IRangeReader file, TiffLimits limits, CancellationToken ct)
    {
        byte[] header = new byte[16];
        int got = await ReadFullyAsync(file, 0, header, ct).ConfigureAwait(false);
        if (got < 8)
        {
            throw new FormatReadException(got == 0
                ? "The file is empty."
                : $"The file is only {got} bytes long, too short for a TIFF header.");
        }

        bool little;
        if (header[0] == (byte)'I' && header[1] == (byte)'I')
        {
            little = true;
        }
        else if (header[0] == (byte)'M' && header[1] == (byte)'M')
        {
            little = false;
        }
        else
        {
            throw new FormatReadException("Not a TIFF: the file does not start with the II or MM byte-order mark.");
        }

        var order = new TiffByteOrder(little);
        ushort magic = order.UInt16(header.AsSpan(2));
        if (magic == 42)
        {
            var reader = new TiffDirectoryReader(file, limits, bigTiff: false, order, ct);
            return (reader, order.UInt32(header.AsSpan(4)));
        }

        if (magic == 43)
        {
            if (got < 16)
            {
                throw new FormatReadException($"The BigTIFF header is truncated: the file is only {got} bytes long.");
            }

            ushort offsetSize = order.UInt16(header.AsSpan(4));
            ushort reserved = order.UInt16(header.AsSpan(6));
            if (offsetSize != 8 || reserved != 0)
            {
                throw new FormatReadException($"Invalid BigTIFF header: offset size {offsetSize} (expected 8).");
            }

            ulong first = order.UInt64(header.AsSpan(8));
            var reader = new TiffDirectoryReader(file, limits, bigTiff: true, order, ct);
            return (reader, ToOffset(first, "first IFD"));
        }

        throw new FormatReadException($"Not a TIFF: version number {magic} where 42 (TIFF) or 43 (BigTIFF) was expected.");
    }

    /// <summary>Reads the entry table of the IFD at <paramref name="offset"/> and the offset of the next IFD (0 if none).</summary>
    public async ValueTask<(IReadOnlyList<TiffEntry> Entries, long NextIfdOffset)> ReadIfdAsync(long offset)
    {
        CheckOffset(offset, "IFD");
        int countSize = IsBigTiff ? 8 : 2;
        byte[] countBytes = new byte[countSize];
        await ReadExactAsync(offset, countBytes, "IFD entry count").ConfigureAwait(false);
        ulong count = IsBigTiff ? Order.UInt64(countBytes) : Order.UInt16(countBytes);
        if (count == 0)
        {
            throw new FormatReadException($"The TIFF directory at offset {offset} has no entries.");
        }

        if (count > (ulong)_limits.MaxEntriesPerIfd)
        {
            throw new FormatReadException(
                $"The TIFF directory at offset {offset} declares {count} entries, more than the {_limits.MaxEntriesPerIfd} allowed.");
        }

        int n = (int)count;
        int pointerSize = IsBigTiff ? 8 : 4;
        byte[] table = new byte[(n * EntrySize) + pointerSize];
        await ReadExactAsync(offset + countSize, table, "IFD entry table").ConfigureAwait(false);

        var entries = new List<TiffEntry>(n);
        for (int i = 0; i < n; i++)
        {
            ReadOnlySpan<byte> e = table.AsSpan(i * EntrySize, EntrySize);
            ushort tag = Order.UInt16(e);
            ushort type = Order.UInt16(e[2..]);
            ulong valueCount;
            ulong field;
            int inlineCapacity;
            if (IsBigTiff)
            {
                valueCount = Order.UInt64(e[4..]);
                field = Order.UInt64(e[12..]);
                inlineCapacity = 8;
            }
            else
            {
                valueCount = Order.UInt32(e[4..]);
                field = Order.UInt32(e[8..]);
                inlineCapacity = 4;
            }

            int size = TiffFieldType.SizeOf(type);
            bool inline = size != 0 && valueCount <= (ulong)(inlineCapacity / size);
            entries.Add(new TiffEntry(tag, type, valueCount, field, inline));
        }

        ReadOnlySpan<byte> next = table.AsSpan(n * EntrySize);
        ulong nextOffset = IsBigTiff ? Order.UInt64(next) : Order.UInt32(next);
        return (entries, ToOffset(nextOffset, "next IFD"));
    }

    /// <summary>Reads only the entry count and next pointer of an IFD: enough to follow the chain without its tags.</summary>
    public async ValueTask<long> ReadNextIfdOffsetAsync(long offset)
    {
        CheckOffset(offset, "IFD");
        int countSize = IsBigTiff ? 8 : 2;
        byte[] countBytes = new byte[countSize];
        await ReadExactAsync(offset, countBytes, "IFD entry count").ConfigureAwait(false);
        ulong count = IsBigTiff ? Order.UInt64(countBytes) : Order.UInt16(countBytes);
        if (count == 0 || count > (ulong)_limits.MaxEntriesPerIfd)
        {
            throw new FormatReadException($"The TIFF directory at offset {offset} declares {count} entries.");
        }

        int pointerSize = IsBigTiff ? 8 : 4;
        byte[] next = new byte[pointerSize];
        await ReadExactAsync(offset + countSize + ((long)count * EntrySize), next, "next IFD offset").ConfigureAwait(false);
        return ToOffset(IsBigTiff ? Order.UInt64(next) : Order.UInt32(next), "next IFD");
    }

    /// <summary>
    /// Raw bytes of at most <paramref name="maxValues"/> values of <paramref name="entry"/> (fewer when the tag holds fewer).
    /// Reading only a prefix keeps large arrays (e.g. thousands of GCP tiepoints) from costing anything.
    /// </summary>
    public async ValueTask<byte[]> ReadValueBytesAsync(TiffEntry entry, ulong maxValues)
    {
        int size = entry.ValueSize;
        if (size == 0)
        {
            throw new FormatReadException($"TIFF tag {entry.Tag} has unknown field type {entry.Type}.");
        }

        ulong values = Math.Min(entry.Count, maxValues);
        if (values > (ulong)(_limits.MaxValueBytes / size))
        {
            throw new FormatReadException(
                $"TIFF tag {entry.Tag} declares {entry.Count} values, more than the {_limits.MaxValueBytes} bytes allowed for one tag.");
        }

        byte[] bytes = new byte[(int)values * size];
        if (entry.ValueIsInline)
        {
            Span<byte> field = stackalloc byte[8];
            WriteField(entry.ValueField, field);
            field[..bytes.Length].CopyTo(bytes);
            return bytes;
        }

        long offset = ToOffset(entry.ValueField, $"tag {entry.Tag} value");
        CheckOffset(offset, $"tag {entry.Tag} value");
        await ReadExactAsync(offset, bytes, $"tag {entry.Tag} value").ConfigureAwait(false);
        return bytes;
    }

    /// <summary>Reads raw bytes at <paramref name="offset"/> (fewer only at the end of the file).</summary>
    public ValueTask<int> ReadRawAsync(long offset, byte[] buffer) => ReadFullyAsync(_file, offset, buffer, _ct);

    public async ValueTask<ulong[]> ReadUnsignedAsync(TiffEntry entry, ulong maxValues)
    {
        if (entry.Type is not (TiffFieldType.Byte or TiffFieldType.Short or TiffFieldType.Long or TiffFieldType.Long8
            or TiffFieldType.Undefined))
        {
            throw new FormatReadException($"TIFF tag {entry.Tag} has type {entry.Type} where an unsigned integer was expected.");
        }

        byte[] raw = await ReadValueBytesAsync(entry, maxValues).ConfigureAwait(false);
        int size = entry.ValueSize;
        ulong[] result = new ulong[raw.Length / size];
        for (int i = 0; i < result.Length; i++)
        {
            ReadOnlySpan<byte> s = raw.AsSpan(i * size, size);
            result[i] = size switch
            {
                1 => s[0],
                2 => Order.UInt16(s),
                4 => Order.UInt32(s),
                _ => Order.UInt64(s),
            };
        }

        return result;
    }

    public async ValueTask<double[]> ReadDoublesAsync(TiffEntry entry, ulong maxValues)
    {
        if (entry.Type is not (TiffFieldType.Double or TiffFieldType.Float))
        {
            throw new FormatReadException($"TIFF tag {entry.Tag} has type {entry.Type} where floating-point values were expected.");
        }

        byte[] raw = await ReadValueBytesAsync(entry, maxValues).ConfigureAwait(false);
        int size = entry.ValueSize;
        double[] result = new double[raw.Length / size];
        for (int i = 0; i < result.Length; i++)
        {
            ReadOnlySpan<byte> s = raw.AsSpan(i * size, size);
            result[i] = size == 8 ? Order.Double(s) : Order.Single(s);
        }

        return result;
    }

    /// <summary>ASCII value up to its first NUL, decoded as Latin-1 so that no byte sequence can fail to decode.</summary>
    public async ValueTask<string> ReadAsciiAsync(TiffEntry entry, ulong maxBytes)
    {
        if (entry.Type is not (TiffFieldType.Ascii or TiffFieldType.Byte or TiffFieldType.Undefined))
        {
            throw new FormatReadException($"TIFF tag {entry.Tag} has type {entry.Type} where text was expected.");
        }

        byte[] raw = await ReadValueBytesAsync(entry, maxBytes).ConfigureAwait(false);
        int end = Array.IndexOf(raw, (byte)0);
        return Encoding.Latin1.GetString(raw, 0, end < 0 ? raw.Length : end);
    }

    private void WriteField(ulong field, Span<byte> destination)
    {
        // The value field holds the bytes in file order; rebuild them from the integer decoded in file byte order.
        int width = IsBigTiff ? 8 : 4;
        for (int i = 0; i < width; i++)
        {
            int shift = Order.IsLittleEndian ? 8 * i : 8 * (width - 1 - i);
            destination[i] = (byte)(field >> shift);
        }
    }

    private void CheckOffset(long offset, string what)
    {
        if (offset < 8)
        {
            throw new FormatReadException($"The TIFF {what} offset {offset} points inside the file header.");
        }

        if (_file.Length is long length && offset >= length)
        {
            throw new FormatReadException($"The TIFF {what} offset {offset} lies beyond the end of the {length}-byte file.");
        }
    }

    private static long ToOffset(ulong value, string what)
    {
        if (value > long.MaxValue)
        {
            throw new FormatReadException($"The TIFF {what} offset {value} is not a valid file position.");
        }

        return (long)value;
    }

    private async ValueTask ReadExactAsync(long offset, byte[] buffer, string what)
    {
        int got = await ReadFullyAsync(_file, offset, buffer, _ct).ConfigureAwait(false);
        if (got < buffer.Length)
        {
            throw new FormatReadException(
                $"The TIFF file is truncated: its {what} at offset {offset} ({buffer.Length} bytes) lies past the end of the file.");
        }
    }

    private static async ValueTask<int> ReadFullyAsync(IRangeReader file, long offset, Memory<byte> buffer, CancellationToken ct)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = await file.ReadAsync(offset + total, buffer[total..], ct).ConfigureAwait(false);
            if (n <= 0)
            {
                break;
            }

            total += n;
        }

        return total;
    }
}
