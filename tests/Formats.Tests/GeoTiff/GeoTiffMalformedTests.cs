using Pcrs.Grains.Formats;
using Pcrs.Grains.Formats.GeoTiff;

namespace Pcrs.Formats.Tests.GeoTiff;

/// <summary>Malformed TIFF headers: each gives one clear error after reading a bounded number of bytes.</summary>
public sealed class GeoTiffMalformedTests
{
    private static async Task<(string Message, long Bytes)> FailureOf(byte[] data)
    {
        var file = new CountingMemoryReader("bad.tif", data);
        var ex = await Assert.ThrowsAsync<FormatReadException>(
            () => GeoTiffReader.ReadAsync(file, null, TestContext.Current.CancellationToken));
        Assert.DoesNotContain("\n", ex.Message);
        Assert.EndsWith(".", ex.Message);
        return (ex.Message, file.BytesRead);
    }

    [Fact]
    public async Task Ifd_pointing_to_itself_is_a_loop()
    {
        TiffBuilder b = TiffBuilder.Minimal();
        b.NextIfd = 8;
        (string message, _) = await FailureOf(b.Build());
        Assert.Contains("loops", message);
    }

    [Fact]
    public async Task Two_ifds_pointing_at_each_other_are_a_loop()
    {
        TiffBuilder b = TiffBuilder.Minimal();
        b.NextIfd = 200;
        b.MinLength = 400;
        byte[] data = b.Build();

        // Second IFD at 200: one entry, next pointer back to the first.
        BitConverter.TryWriteBytes(data.AsSpan(200), (ushort)1);
        BitConverter.TryWriteBytes(data.AsSpan(202), (ushort)256);
        BitConverter.TryWriteBytes(data.AsSpan(204), (ushort)3);
        BitConverter.TryWriteBytes(data.AsSpan(206), 1u);
        BitConverter.TryWriteBytes(data.AsSpan(214), 8u);
        (string message, _) = await FailureOf(data);
        Assert.Contains("loops back to offset 8", message);
    }

    [Fact]
    public async Task Classic_ifd_with_65535_entries_is_refused_before_reading_them()
    {
        TiffBuilder b = TiffBuilder.Minimal();
        b.DeclaredCount = 0xFFFF;
        (string message, long bytes) = await FailureOf(b.Build());
        Assert.Contains("65535 entries", message);
        Assert.True(bytes < 64, $"read {bytes} bytes");
    }

    [Fact]
    public async Task BigTiff_claiming_2_pow_31_entries_is_refused()
    {
        (string message, long bytes) = await FailureOf(TiffBuilder.BigTiffClaimingEntries(1UL << 31));
        Assert.Contains("2147483648 entries", message);
        Assert.True(bytes < 64, $"read {bytes} bytes");
    }

    [Fact]
    public async Task Huge_double_count_is_refused_without_allocating_it()
    {
        // The 556-byte file that made LibTiff.NET allocate 6.3 GB: ModelPixelScale with 0x0FFFFFF0 doubles.
        TiffBuilder b = TiffBuilder.Minimal().Entry(33550, 12, 0x0FFFFFF0, 100);
        b.MinLength = 556;
        long before = GC.GetAllocatedBytesForCurrentThread();
        GeoTiffInfo info = await GeoTiffReader.ReadAsync(new CountingMemoryReader("x.tif", b.Build()), null, TestContext.Current.CancellationToken);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // Only the 3 values a pixel scale has are ever read, so the absurd count costs nothing.
        Assert.True(allocated < 1_000_000, $"allocated {allocated} bytes");
        Assert.Equal(3, info.ModelPixelScale!.Count);
        Assert.Null(info.GeoTransform);
    }

    [Fact]
    public async Task Huge_ascii_count_is_refused()
    {
        TiffBuilder b = TiffBuilder.Minimal()
            .Entry(34735, 3, 8, 100)
            .Entry(34737, 2, 0x7FFFFFFF, 200);
        b.MinLength = 300;
        byte[] data = b.Build();
        ushort[] keys = [1, 1, 0, 1, 1026, 34737, 5, 0];
        for (int i = 0; i < keys.Length; i++)
        {
            BitConverter.TryWriteBytes(data.AsSpan(100 + (2 * i)), keys[i]);
        }

        (string message, long bytes) = await FailureOf(data);
        Assert.Contains("34737", message);
        Assert.True(bytes < 400, $"read {bytes} bytes");
    }

    [Fact]
    public async Task Ifd_offset_past_the_end_is_truncation()
    {
        TiffBuilder b = TiffBuilder.Minimal();
        byte[] data = b.Build();
        BitConverter.TryWriteBytes(data.AsSpan(4), 1_000_000u);
        (string message, _) = await FailureOf(data);
        Assert.Contains("beyond the end", message);
    }

    [Fact]
    public async Task Ifd_offset_inside_the_header_is_refused()
    {
        byte[] data = TiffBuilder.Minimal().Build();
        BitConverter.TryWriteBytes(data.AsSpan(4), 4u);
        (string message, _) = await FailureOf(data);
        Assert.Contains("header", message);
    }

    [Fact]
    public async Task Missing_image_size_is_reported()
    {
        byte[] data = new TiffBuilder().Entry(262, 3, 1, 1).Build();
        (string message, _) = await FailureOf(data);
        Assert.Contains("ImageWidth", message);
    }

    [Fact]
    public async Task Truncated_entry_table_is_reported()
    {
        byte[] data = TiffBuilder.Minimal().Build()[..20];
        (string message, _) = await FailureOf(data);
        Assert.Contains("truncated", message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(7)]
    public async Task Too_short_files_are_reported(int length)
    {
        byte[] data = TiffBuilder.Minimal().Build()[..length];
        (string message, _) = await FailureOf(data);
        Assert.True(message.Contains("empty") || message.Contains("too short"), message);
    }

    [Fact]
    public async Task Huge_image_size_is_reported_not_allocated()
    {
        byte[] data = new TiffBuilder()
            .Entry(256, 4, 1, 100_000_000)
            .Entry(257, 4, 1, 100_000_000)
            .Entry(278, 4, 1, 1)
            .Build();
        GeoTiffInfo info = await GeoTiffReader.ReadAsync(new CountingMemoryReader("big.tif", data), null, TestContext.Current.CancellationToken);
        Assert.Equal(100_000_000, info.Width);
    }
}

/// <summary>An in-memory range reader that counts the bytes handed out.</summary>
internal sealed class CountingMemoryReader(string name, byte[] data) : IRangeReader
{
    private readonly MemoryRangeReader _inner = new(name, data);

    public string Name => name;

    public long? Length => data.Length;

    public long BytesRead { get; private set; }

    public async ValueTask<int> ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        int n = await _inner.ReadAsync(offset, buffer, cancellationToken);
        BytesRead += n;
        return n;
    }
}
