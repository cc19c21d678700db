using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;
using System.Text;

namespace Pcrs.WebFront.Downloads;

/// <summary>
/// Writes a ZIP archive front to back on a stream that cannot seek (an HTTP response): every entry is stored as is
/// (method 0: tiles are already compressed, and recompressing would cost CPU for nothing), its CRC-32 computed while the
/// bytes pass through a fixed buffer, and its CRC and sizes written after the data (flag bit 3, data descriptor). Zip64
/// records are written where a size or an offset passes 4 GiB or the entries pass 65,535, so archives of any size open
/// with unzip, 7-Zip and the Windows and macOS tools. Names are UTF-8 (flag bit 11). Documents written on the fly
/// (<see cref="AddDeflatedEntryAsync"/>) are compressed (method 8). Each entry's central-directory record is serialised
/// when the entry ends, into <paramref name="centralSpool"/> when given (a temporary file: archives of 100,000 small
/// documents keep nothing per entry in memory), else into memory (about 100 bytes an entry); it is copied out at the end.
/// An archive whose entries' sizes are known is a pure function of its names, dates, sizes and contents, so the writer can
/// emit only the bytes in [<paramref name="windowStart"/>, <paramref name="windowEnd"/>) of it (an HTTP Range): bytes
/// before the window are counted, not sent, and an entry wholly outside it is not read when its CRC-32 is already known.
/// </summary>
public sealed class ZipStreamWriter(Stream output, long windowStart = 0, long windowEnd = long.MaxValue, Stream? centralSpool = null)
{
    private const uint Max32 = uint.MaxValue;
    private const int BufferSize = 64 * 1024;
    private const ushort Stored = 0;
    private const ushort Deflated = 8;

    /// <summary>A Deflate stream of nothing: one final block with fixed codes holding only its end marker.</summary>
    private static readonly byte[] EmptyDeflate = [0x03, 0x00];

    private readonly Stream _central = centralSpool ?? new MemoryStream();
    private long _entryCount;
    private long _offset;

    private sealed record CentralRecord(byte[] Name, ushort Time, ushort Date, uint Crc, long Size, long Offset, bool Zip64Local)
    {
        public ushort Method { get; init; } = Stored;

        /// <summary>Bytes of the entry's data in the archive (its size when stored).</summary>
        public long CompressedSize { get; init; } = Size;
    }

    public long BytesWritten => _offset;

    /// <summary>Whether every byte of the window has been written: what follows would be discarded.</summary>
    public bool WindowDone => _offset >= windowEnd;

    /// <summary>
    /// Adds an entry of exactly <paramref name="size"/> bytes. Its data is read (from <paramref name="open"/>, given the
    /// offset to start at) only where the window needs it, or in full when its CRC is unknown and the descriptor or the
    /// central directory needs it. A source that is not <paramref name="size"/> bytes long fails the archive: the file
    /// changed since the archive's layout was fixed. Returns the entry's CRC-32.
    /// </summary>
    public async Task<uint> AddSizedEntryAsync(string name, DateTimeOffset? modified, long size, uint? knownCrc,
        Func<long, CancellationToken, Task<Stream>> open, CancellationToken cancellationToken)
    {
        var nameBytes = Encoding.UTF8.GetBytes(name.TrimStart('/'));
        if (nameBytes.Length > ushort.MaxValue)
            throw new ArgumentException("Entry name too long for a ZIP archive.", nameof(name));
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        bool zip64 = size >= Max32;
        var (time, date) = DosDateTime(modified ?? DateTimeOffset.UnixEpoch);
        long headerOffset = _offset;
        await WriteAsync(LocalHeader(nameBytes, time, date, zip64), cancellationToken);

        long dataStart = _offset, dataEnd = dataStart + size;
        bool windowTouchesData = dataStart < windowEnd && dataEnd > windowStart;
        uint crcValue;
        if (knownCrc is { } known && !windowTouchesData)
        {
            _offset = dataEnd;
            crcValue = known;
        }
        else
        {
            // With a known CRC only the window's part is read; otherwise all of it, to compute the CRC.
            long from = knownCrc is null ? 0 : Math.Max(0, windowStart - dataStart);
            long until = knownCrc is null ? size : Math.Min(size, windowEnd - dataStart);
            _offset = dataStart + from;
            var crc = new Crc32();
            await using (var source = await open(from, cancellationToken))
            {
                var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
                try
                {
                    long position = from;
                    while (position < until)
                    {
                        int read = await source.ReadAsync(buffer.AsMemory(0, (int)Math.Min(BufferSize, until - position)), cancellationToken);
                        if (read == 0)
                            throw new InvalidDataException($"{name} is shorter than the {size} bytes the catalogue holds: it changed since the scan.");
                        if (knownCrc is null)
                            crc.Append(buffer.AsSpan(0, read));
                        await WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                        position += read;
                    }
                    if (until == size && knownCrc is null && await source.ReadAsync(buffer.AsMemory(0, 1), cancellationToken) > 0)
                        throw new InvalidDataException($"{name} is longer than the {size} bytes the catalogue holds: it changed since the scan.");
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }
            _offset = dataEnd;
            crcValue = knownCrc ?? crc.GetCurrentHashAsUInt32();
        }
        await WriteAsync(DataDescriptor(crcValue, size, size, zip64), cancellationToken);
        await AddCentralAsync(new CentralRecord(nameBytes, time, date, crcValue, size, headerOffset, zip64), cancellationToken);
        return crcValue;
    }

    /// <summary>The length of the archive these entries (name, date, size) make, computed without reading any data.</summary>
    public static async Task<long> MeasureAsync(IEnumerable<(string Name, DateTimeOffset? Modified, long Size)> entries, CancellationToken cancellationToken)
    {
        var measure = new ZipStreamWriter(Stream.Null, long.MaxValue, long.MaxValue);
        foreach (var (name, modified, size) in entries)
            await measure.AddSizedEntryAsync(name, modified, size, 0, (_, _) => throw new InvalidOperationException("Measuring reads no data."), cancellationToken);
        await measure.FinishAsync(cancellationToken);
        return measure.BytesWritten;
    }

    private static byte[] LocalHeader(byte[] nameBytes, ushort time, ushort date, bool zip64, ushort method = Stored)
    {
        var header = new byte[30 + nameBytes.Length + (zip64 ? 20 : 0)];
        var h = header.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(h, 0x04034b50);
        BinaryPrimitives.WriteUInt16LittleEndian(h[4..], (ushort)(zip64 ? 45 : 20));
        BinaryPrimitives.WriteUInt16LittleEndian(h[6..], 0x0808);
        BinaryPrimitives.WriteUInt16LittleEndian(h[8..], method);
        BinaryPrimitives.WriteUInt16LittleEndian(h[10..], time);
        BinaryPrimitives.WriteUInt16LittleEndian(h[12..], date);
        BinaryPrimitives.WriteUInt32LittleEndian(h[18..], zip64 ? Max32 : 0);
        BinaryPrimitives.WriteUInt32LittleEndian(h[22..], zip64 ? Max32 : 0);
        BinaryPrimitives.WriteUInt16LittleEndian(h[26..], (ushort)nameBytes.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(h[28..], (ushort)(zip64 ? 20 : 0));
        nameBytes.CopyTo(h[30..]);
        if (zip64)
        {
            var extra = h[(30 + nameBytes.Length)..];
            BinaryPrimitives.WriteUInt16LittleEndian(extra, 0x0001);
            BinaryPrimitives.WriteUInt16LittleEndian(extra[2..], 16);
        }
        return header;
    }

    private static byte[] DataDescriptor(uint crc, long compressedSize, long size, bool zip64)
    {
        var descriptor = new byte[zip64 ? 24 : 16];
        var d = descriptor.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(d, 0x08074b50);
        BinaryPrimitives.WriteUInt32LittleEndian(d[4..], crc);
        if (zip64)
        {
            BinaryPrimitives.WriteInt64LittleEndian(d[8..], compressedSize);
            BinaryPrimitives.WriteInt64LittleEndian(d[16..], size);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(d[8..], (uint)compressedSize);
            BinaryPrimitives.WriteUInt32LittleEndian(d[12..], (uint)size);
        }
        return descriptor;
    }

    /// <summary>
    /// Copies <paramref name="source"/> into a new entry. <paramref name="expectedSize"/> (from the storage) decides whether
    /// the entry's local header announces Zip64 sizes; a file that turns out to be 4 GiB or more without that announcement
    /// fails the archive rather than write sizes a reader would misread.
    /// </summary>
    public async Task AddEntryAsync(string name, DateTimeOffset? modified, Stream source, long? expectedSize, CancellationToken cancellationToken)
    {
        var nameBytes = Encoding.UTF8.GetBytes(name.TrimStart('/'));
        if (nameBytes.Length > ushort.MaxValue)
            throw new ArgumentException("Entry name too long for a ZIP archive.", nameof(name));
        bool zip64 = expectedSize is null or >= Max32;
        var (time, date) = DosDateTime(modified ?? DateTimeOffset.UtcNow);
        long headerOffset = _offset;

        await WriteAsync(LocalHeader(nameBytes, time, date, zip64), cancellationToken);

        var crc = new Crc32();
        long size = 0;
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            int read;
            while ((read = await source.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken)) > 0)
            {
                crc.Append(buffer.AsSpan(0, read));
                await WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                size += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        if (!zip64 && size >= Max32)
            throw new InvalidDataException($"{name} grew past 4 GiB while it was read; the archive is incomplete.");
        uint crcValue = crc.GetCurrentHashAsUInt32();

        await WriteAsync(DataDescriptor(crcValue, size, size, zip64), cancellationToken);
        await AddCentralAsync(new CentralRecord(nameBytes, time, date, crcValue, size, headerOffset, zip64), cancellationToken);
    }

    /// <summary>
    /// Adds an entry compressed with Deflate whose content <paramref name="write"/> writes (asynchronously) to the stream
    /// it is given: a document made on the fly, of a size known only at its end. Such a document stays under 4 GiB;
    /// one that does not fails the archive.
    /// </summary>
    public async Task AddDeflatedEntryAsync(string name, DateTimeOffset? modified, Func<Stream, CancellationToken, Task> write, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(write);
        var nameBytes = Encoding.UTF8.GetBytes(name.TrimStart('/'));
        if (nameBytes.Length > ushort.MaxValue)
            throw new ArgumentException("Entry name too long for a ZIP archive.", nameof(name));
        var (time, date) = DosDateTime(modified ?? DateTimeOffset.UtcNow);
        long headerOffset = _offset;
        await WriteAsync(LocalHeader(nameBytes, time, date, zip64: false, Deflated), cancellationToken);

        long dataStart = _offset;
        var crc = new Crc32();
        long size;
        var compressed = new SinkStream(WriteAsync, null);
        await using (var deflate = new DeflateStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            var document = new SinkStream((bytes, ct) => deflate.WriteAsync(bytes, ct), crc);
            await write(document, cancellationToken);
            size = document.Count;
        }
        // DeflateStream writes nothing for an empty document; readers need one final empty block.
        if (_offset == dataStart)
            await WriteAsync(EmptyDeflate, cancellationToken);
        long compressedSize = _offset - dataStart;
        if (size >= Max32 || compressedSize >= Max32)
            throw new InvalidDataException($"{name} reached 4 GiB: too large for a document entry.");
        uint crcValue = crc.GetCurrentHashAsUInt32();
        await WriteAsync(DataDescriptor(crcValue, compressedSize, size, zip64: false), cancellationToken);
        await AddCentralAsync(new CentralRecord(nameBytes, time, date, crcValue, size, headerOffset, false)
        {
            Method = Deflated,
            CompressedSize = compressedSize,
        }, cancellationToken);
    }

    /// <summary>A write-only pass-through that counts the bytes (and their CRC-32 when given) on their way to a sink.</summary>
    private sealed class SinkStream(Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> sink, Crc32? crc) : Stream
    {
        public long Count { get; private set; }
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        // The archive goes to an HTTP response or a file through asynchronous writes only.
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("Write asynchronously.");

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            crc?.Append(buffer.Span);
            Count += buffer.Length;
            await sink(buffer, cancellationToken);
        }
    }

    /// <summary>Serialises the entry's central-directory record now, so that nothing of the entry stays in memory.</summary>
    private async ValueTask AddCentralAsync(CentralRecord e, CancellationToken cancellationToken)
    {
        bool bigSize = e.Size >= Max32 || e.CompressedSize >= Max32, bigOffset = e.Offset >= Max32;
        int extraLength = (bigSize ? 16 : 0) + (bigOffset ? 8 : 0);
        var record = new byte[46 + e.Name.Length + (extraLength > 0 ? 4 + extraLength : 0)];
        var r = record.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(r, 0x02014b50);
        BinaryPrimitives.WriteUInt16LittleEndian(r[4..], 45);
        BinaryPrimitives.WriteUInt16LittleEndian(r[6..], (ushort)(e.Zip64Local || extraLength > 0 ? 45 : 20));
        BinaryPrimitives.WriteUInt16LittleEndian(r[8..], 0x0808);
        BinaryPrimitives.WriteUInt16LittleEndian(r[10..], e.Method);
        BinaryPrimitives.WriteUInt16LittleEndian(r[12..], e.Time);
        BinaryPrimitives.WriteUInt16LittleEndian(r[14..], e.Date);
        BinaryPrimitives.WriteUInt32LittleEndian(r[16..], e.Crc);
        BinaryPrimitives.WriteUInt32LittleEndian(r[20..], bigSize ? Max32 : (uint)e.CompressedSize);
        BinaryPrimitives.WriteUInt32LittleEndian(r[24..], bigSize ? Max32 : (uint)e.Size);
        BinaryPrimitives.WriteUInt16LittleEndian(r[28..], (ushort)e.Name.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(r[30..], (ushort)(extraLength > 0 ? 4 + extraLength : 0));
        // comment length, disk number, internal and external attributes: zero
        BinaryPrimitives.WriteUInt32LittleEndian(r[42..], bigOffset ? Max32 : (uint)e.Offset);
        e.Name.CopyTo(r[46..]);
        if (extraLength > 0)
        {
            var x = r[(46 + e.Name.Length)..];
            BinaryPrimitives.WriteUInt16LittleEndian(x, 0x0001);
            BinaryPrimitives.WriteUInt16LittleEndian(x[2..], (ushort)extraLength);
            int at = 4;
            if (bigSize)
            {
                // Zip64 extra: original size, then compressed size.
                BinaryPrimitives.WriteInt64LittleEndian(x[at..], e.Size);
                BinaryPrimitives.WriteInt64LittleEndian(x[(at + 8)..], e.CompressedSize);
                at += 16;
            }
            if (bigOffset)
                BinaryPrimitives.WriteInt64LittleEndian(x[at..], e.Offset);
        }
        await _central.WriteAsync(record, cancellationToken);
        _entryCount++;
    }


    /// <summary>Writes the central directory and the end records; the archive is complete after this.</summary>
    public async Task FinishAsync(CancellationToken cancellationToken)
    {
        long centralStart = _offset;
        _central.Position = 0;
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            int read;
            while ((read = await _central.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken)) > 0)
                await WriteAsync(buffer.AsMemory(0, read), cancellationToken);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        long centralSize = _offset - centralStart;
        bool zip64End = _entryCount >= ushort.MaxValue || centralStart >= Max32 || centralSize >= Max32;
        if (zip64End)
        {
            long zip64EndOffset = _offset;
            var end64 = new byte[56 + 20];
            var z = end64.AsSpan();
            BinaryPrimitives.WriteUInt32LittleEndian(z, 0x06064b50);
            BinaryPrimitives.WriteInt64LittleEndian(z[4..], 44);
            BinaryPrimitives.WriteUInt16LittleEndian(z[12..], 45);
            BinaryPrimitives.WriteUInt16LittleEndian(z[14..], 45);
            BinaryPrimitives.WriteInt64LittleEndian(z[24..], _entryCount);
            BinaryPrimitives.WriteInt64LittleEndian(z[32..], _entryCount);
            BinaryPrimitives.WriteInt64LittleEndian(z[40..], centralSize);
            BinaryPrimitives.WriteInt64LittleEndian(z[48..], centralStart);
            var locator = z[56..];
            BinaryPrimitives.WriteUInt32LittleEndian(locator, 0x07064b50);
            BinaryPrimitives.WriteInt64LittleEndian(locator[8..], zip64EndOffset);
            BinaryPrimitives.WriteUInt32LittleEndian(locator[16..], 1);
            await WriteAsync(end64, cancellationToken);
        }
        var end = new byte[22];
        var n = end.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(n, 0x06054b50);
        ushort count = (ushort)Math.Min(_entryCount, ushort.MaxValue);
        BinaryPrimitives.WriteUInt16LittleEndian(n[8..], count);
        BinaryPrimitives.WriteUInt16LittleEndian(n[10..], count);
        BinaryPrimitives.WriteUInt32LittleEndian(n[12..], centralSize >= Max32 ? Max32 : (uint)centralSize);
        BinaryPrimitives.WriteUInt32LittleEndian(n[16..], centralStart >= Max32 ? Max32 : (uint)centralStart);
        await WriteAsync(end, cancellationToken);
        if (windowStart < long.MaxValue)
            await output.FlushAsync(cancellationToken);
    }

    private async ValueTask WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        // Only the part of these bytes inside the window goes out; the offset counts them all.
        long start = Math.Max(_offset, windowStart), end = Math.Min(_offset + bytes.Length, windowEnd);
        if (start < end)
            await output.WriteAsync(bytes.Slice((int)(start - _offset), (int)(end - start)), cancellationToken);
        _offset += bytes.Length;
    }

    /// <summary>MS-DOS time and date (2-second steps, 1980 to 2107), in UTC as the storages report times.</summary>
    private static (ushort Time, ushort Date) DosDateTime(DateTimeOffset value)
    {
        var t = value.UtcDateTime;
        if (t.Year < 1980)
            return (0, (1 << 5) | 1);
        if (t.Year > 2107)
            t = new DateTime(2107, 12, 31, 23, 59, 58, DateTimeKind.Utc);
        return ((ushort)((t.Hour << 11) | (t.Minute << 5) | (t.Second / 2)), (ushort)(((t.Year - 1980) << 9) | (t.Month << 5) | t.Day));
    }
}
