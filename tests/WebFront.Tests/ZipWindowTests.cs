using System.IO.Compression;
using System.Security.Cryptography;
using Pcrs.WebFront.Downloads;

namespace Pcrs.WebFront.Tests;

/// <summary>
/// A window of a sized archive is byte for byte that part of the whole archive, whether the CRCs are known (entries
/// outside the window are then never read, those it cuts are read from the cut) or not (each entry is read in full).
/// </summary>
public sealed class ZipWindowTests
{
    private static readonly (string Name, byte[] Data, DateTimeOffset Modified)[] Files =
    [
        ("a/premiere.tif", RandomBytes(1, 70_000), new DateTimeOffset(2024, 3, 1, 10, 20, 30, TimeSpan.Zero)),
        ("b/deuxième.jp2", RandomBytes(2, 130_001), new DateTimeOffset(2023, 12, 31, 23, 59, 58, TimeSpan.Zero)),
        ("vide.tfw", [], new DateTimeOffset(2022, 1, 1, 0, 0, 0, TimeSpan.Zero)),
        ("c.tif", RandomBytes(3, 5_000), new DateTimeOffset(2021, 6, 15, 8, 0, 0, TimeSpan.Zero)),
    ];

    private static byte[] RandomBytes(int seed, int length)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static async Task<(byte[] Bytes, uint[] Crcs, List<long> Reads)> WriteAsync(long start, long end, uint[]? crcs)
    {
        var output = new MemoryStream();
        var zip = new ZipStreamWriter(output, start, end);
        var result = new uint[Files.Length];
        var reads = new List<long>();
        for (int i = 0; i < Files.Length; i++)
        {
            var data = Files[i].Data;
            result[i] = await zip.AddSizedEntryAsync(Files[i].Name, Files[i].Modified, data.Length, crcs?[i], (offset, _) =>
            {
                reads.Add(offset);
                return Task.FromResult<Stream>(new MemoryStream(data, (int)offset, data.Length - (int)offset));
            }, CancellationToken.None);
        }
        await zip.FinishAsync(CancellationToken.None);
        return (output.ToArray(), result, reads);
    }

    [Fact]
    public async Task Windows_are_the_slices_of_the_whole_archive_with_or_without_known_crcs()
    {
        var (whole, crcs, _) = await WriteAsync(0, long.MaxValue, null);
        long measured = await ZipStreamWriter.MeasureAsync(Files.Select(f => (f.Name, (DateTimeOffset?)f.Modified, (long)f.Data.Length)), CancellationToken.None);
        Assert.Equal(whole.Length, measured);
        // The whole archive is a valid ZIP of the files.
        using (var archive = new ZipArchive(new MemoryStream(whole)))
        {
            Assert.Equal(Files.Select(f => f.Name), archive.Entries.Select(e => e.FullName));
            foreach (var (entry, file) in archive.Entries.Zip(Files))
            {
                using var copy = new MemoryStream();
                await using (var s = entry.Open())
                    await s.CopyToAsync(copy);
                Assert.Equal(SHA256.HashData(file.Data), SHA256.HashData(copy.ToArray()));
            }
        }
        var random = new Random(7);
        var cuts = new List<(long, long)> { (0, whole.Length), (1, whole.Length), (whole.Length - 1, whole.Length), (100, 101) };
        for (int i = 0; i < 40; i++)
        {
            long a = random.NextInt64(0, whole.Length), b = random.NextInt64(a + 1, whole.Length + 1);
            cuts.Add((a, b));
        }
        foreach (var (start, end) in cuts)
        {
            var expected = whole.AsSpan((int)start, (int)(end - start)).ToArray();
            var (unknown, unknownCrcs, _) = await WriteAsync(start, end, null);
            Assert.Equal(expected, unknown);
            Assert.Equal(crcs, unknownCrcs);
            var (known, _, _) = await WriteAsync(start, end, crcs);
            Assert.Equal(expected, known);
        }
        // Resuming past the first entry with the CRCs known never reads the first file.
        var (_, _, late) = await WriteAsync(whole.Length - 10, whole.Length, crcs);
        Assert.Empty(late);
    }

    [Fact]
    public async Task A_file_of_another_size_than_announced_fails_the_archive()
    {
        var zip = new ZipStreamWriter(Stream.Null);
        await Assert.ThrowsAsync<InvalidDataException>(() => zip.AddSizedEntryAsync("court.tif", null, 10, null,
            (_, _) => Task.FromResult<Stream>(new MemoryStream(new byte[9])), CancellationToken.None));
        zip = new ZipStreamWriter(Stream.Null);
        await Assert.ThrowsAsync<InvalidDataException>(() => zip.AddSizedEntryAsync("long.tif", null, 10, null,
            (_, _) => Task.FromResult<Stream>(new MemoryStream(new byte[11])), CancellationToken.None));
    }
}
