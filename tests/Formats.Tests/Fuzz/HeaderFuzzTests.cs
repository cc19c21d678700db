using System.Diagnostics;
using Microsoft.Extensions.Options;
using Pcrs.Formats.Tests.GeoTiff;
using Pcrs.Grains.Formats;
using Pcrs.TestSupport;
using FormatsTileReader = Pcrs.Grains.Formats.TileReader;

namespace Pcrs.Formats.Tests.Fuzz;

/// <summary>
/// Mutated valid headers (TIFF, BigTIFF, COG, JPEG 2000) in a deterministic seeded loop: whatever the bytes, no
/// exception leaves the tile reader, no more than the budget is fetched, and each file is done in bounded time.
/// Inputs that ever broke one of these rules are kept in FuzzCorpus/ and replayed by <see cref="Corpus_replays_cleanly"/>.
/// </summary>
public sealed class HeaderFuzzTests
{
    private const int CasesPerSeedFile = 600;
    private const long Budget = 256 * 1024;

    private static readonly string[] SeedTiffs =
    [
        "l93_rgb_tiled_lzw.tif",
        "l93_rgb_tiled_deflate_bigtiff.tif",
        "l93_rgbi_4band_uint16_12bit.tif",
        "l93_rgb_tiled_lzw_ifd_at_end.tif",
        "bigendian_l93_rgb_strip.tif",
        "cog_l93_rgb.tif",
        "point_l93_rgb_deflate.tif",
    ];

    private static readonly string[] SeedJp2 =
    [
        "l93_rgb_geojp2_gmljp2.jp2",
        "l93_rgb_gmljp2v2.jp2",
        "l93_rgb_geoboxes_after_jp2c.jp2",
        "l93_rgb_raw.j2k",
    ];

    public static IEnumerable<TheoryDataRow<string>> Seeds() =>
        SeedTiffs.Concat(SeedJp2).Select(s => new TheoryDataRow<string>(s));

    private static FormatsTileReader Reader() =>
        new(Options.Create(new TileReaderOptions { MaxBytesPerFile = Budget }));

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task Mutated_headers_never_escape_the_budget_or_throw(string seedName)
    {
        string path = seedName.EndsWith(".tif", StringComparison.Ordinal)
            ? GeoTiffFixtures.PathOf(seedName)
            : Path.Combine(Peers.FixturesDir, seedName);
        byte[] original = await File.ReadAllBytesAsync(path, TestContext.Current.CancellationToken);

        // Mutate only bytes the reader actually looks at on the clean file: that is where parsing decisions are made.
        var probe = new FileRangeReader(path);
        await Reader().ReadAsync(probe, [], TestContext.Current.CancellationToken);
        var touched = probe.Ranges.Where(r => r.Count > 0).ToArray();

        var random = new Random(HashCode.Combine(seedName.Length, seedName[0], seedName[^5]) ^ 20261129);
        FormatsTileReader reader = Reader();
        var total = Stopwatch.StartNew();
        for (int i = 0; i < CasesPerSeedFile; i++)
        {
            PatchedFile mutated = Mutate(original, touched, random);
            var file = mutated.Reader(seedName);
            var watch = Stopwatch.StartNew();
            TileMetadata result;
            try
            {
                result = await reader.ReadAsync(file, [], TestContext.Current.CancellationToken);
            }
            catch (Exception ex)
            {
                string saved = SaveCrasher(seedName, i, mutated.ToArray());
                Assert.Fail($"case {i} of {seedName} threw {ex.GetType().Name}: {ex.Message} (input saved to {saved})");
                return;
            }

            Assert.True(file.BytesRead <= Budget, $"case {i} of {seedName} read {file.BytesRead} bytes");
            Assert.Equal(file.BytesRead, result.BytesRead);
            Assert.True(watch.ElapsedMilliseconds < 1000, $"case {i} of {seedName} took {watch.ElapsedMilliseconds} ms");
            if (result.Error is not null)
            {
                Assert.DoesNotContain('\n', result.Error);
            }
        }

        Assert.True(total.Elapsed < TimeSpan.FromSeconds(60), $"{CasesPerSeedFile} cases took {total.Elapsed}");
    }

    [Fact]
    public async Task Corpus_replays_cleanly()
    {
        string dir = Path.Combine(AppContext.BaseDirectory, "FuzzCorpus");
        string[] files = Directory.GetFiles(dir, "*.bin");
        Assert.NotEmpty(files);
        foreach (string f in files)
        {
            byte[] data = await File.ReadAllBytesAsync(f, TestContext.Current.CancellationToken);
            var file = new CountingMemoryReader(Path.GetFileNameWithoutExtension(f), data);
            TileMetadata result = await Reader().ReadAsync(file, [], TestContext.Current.CancellationToken);
            Assert.True(file.BytesRead <= Budget, $"{f}: {file.BytesRead} bytes");
            Assert.True(result.Error is null || !result.Error.Contains('\n'), f);
        }
    }

    private static PatchedFile Mutate(byte[] original, (long Offset, int Count)[] touched, Random random)
    {
        var data = new PatchedFile(original);
        int mutations = 1 + random.Next(4);
        for (int m = 0; m < mutations; m++)
        {
            (long offset, int count) = touched[random.Next(touched.Length)];
            int at = (int)Math.Min(offset + random.Next(Math.Max(1, Math.Min(count, 4096))), data.Length - 1);
            switch (random.Next(6))
            {
                case 0:
                    data[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1:
                    data[at] = (byte)random.Next(256);
                    break;
                case 2:
                    // An extreme 32-bit value: counts, lengths and offsets at their limits.
                    uint[] extremes = [0, 1, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0x0FFFFFF0, (uint)data.Length, (uint)at];
                    uint v = extremes[random.Next(extremes.Length)];
                    for (int k = 0; k < 4 && at + k < data.Length; k++)
                    {
                        data[at + k] = (byte)(v >> (8 * k));
                    }

                    break;
                case 3:
                    data[at] = 0xFF;
                    if (at + 1 < data.Length)
                    {
                        data[at + 1] = 0xFF;
                    }

                    break;
                case 4:
                    // Truncate right after a byte the reader reads.
                    data.Length = Math.Max(0, at);
                    return data;
                default:
                    // Copy a nearby 8-byte run over another place (duplicated tags, self-pointing offsets).
                    int from = (int)Math.Min(offset + random.Next(Math.Max(1, count)), data.Length - 8);
                    for (int k = 0; from >= 0 && k < 8 && at + k < data.Length; k++)
                    {
                        data[at + k] = data[from + k];
                    }

                    break;
            }
        }

        return data;
    }

    /// <summary>The seed file with a few bytes patched and maybe a shorter length: no copy of a multi-MB file per case.</summary>
    private sealed class PatchedFile(byte[] original)
    {
        private readonly Dictionary<int, byte> _patches = [];

        public int Length { get; set; } = original.Length;

        private byte[] Original => original;

        public byte this[int index]
        {
            get => _patches.TryGetValue(index, out byte b) ? b : original[index];
            set => _patches[index] = value;
        }

        public byte[] ToArray()
        {
            byte[] data = original[..Length];
            foreach ((int index, byte value) in _patches)
            {
                if (index < Length)
                {
                    data[index] = value;
                }
            }

            return data;
        }

        public PatchedReader Reader(string name) => new(name, this);

        public sealed class PatchedReader(string name, PatchedFile file) : IRangeReader
        {
            public string Name => name;

            public long? Length => file.Length;

            public long BytesRead { get; private set; }

            public ValueTask<int> ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken)
            {
                if (offset < 0 || offset >= file.Length)
                {
                    return ValueTask.FromResult(0);
                }

                int count = (int)Math.Min(buffer.Length, file.Length - offset);
                file.Original.AsSpan((int)offset, count).CopyTo(buffer.Span);
                foreach ((int index, byte value) in file._patches)
                {
                    if (index >= offset && index < offset + count)
                    {
                        buffer.Span[(int)(index - offset)] = value;
                    }
                }

                BytesRead += count;
                return ValueTask.FromResult(count);
            }
        }
    }

    private static string SaveCrasher(string seed, int index, byte[] data)
    {
        string dir = Path.Combine(Path.GetTempPath(), "pcrs-fuzz-crashers");
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, $"{Path.GetFileNameWithoutExtension(seed)}-{index}.bin");
        File.WriteAllBytes(path, data);
        return path;
    }
}
