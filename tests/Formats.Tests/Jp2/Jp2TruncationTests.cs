using Pcrs.Grains.Formats;
using Pcrs.Grains.Formats.Jp2;
using Pcrs.TestSupport;

namespace Pcrs.Formats.Tests.Jp2;

/// <summary>Every cut of a JP2 head and every flipped byte ends in a result or one FormatReadException, within the byte budget.</summary>
public sealed class Jp2TruncationTests
{
    [Theory]
    [InlineData("l93_rgb_geojp2_gmljp2.jp2")]
    [InlineData("l93_rgb_gmljp2v2.jp2")]
    [InlineData("l93_rgb_raw.j2k")]
    public async Task Every_truncation_of_the_head_gives_a_result_or_a_clear_error(string name)
    {
        byte[] data = File.ReadAllBytes(Path.Combine(Peers.FixturesDir, name));
        for (int length = 0; length <= 3200; length += 3)
        {
            await ReadOrFail(new MemoryRangeReader(name, data.AsMemory(0, length)));
        }
    }

    [Fact]
    public async Task Flipped_bytes_in_the_boxes_give_a_result_or_a_clear_error()
    {
        byte[] original = File.ReadAllBytes(Path.Combine(Peers.FixturesDir, "l93_rgb_geoboxes_after_jp2c.jp2"));
        byte[] head = File.ReadAllBytes(Path.Combine(Peers.FixturesDir, "l93_rgb_geojp2_gmljp2.jp2"));
        var random = new Random(20261129);
        foreach (byte[] source in new[] { original, head })
        {
            for (int round = 0; round < 1500; round++)
            {
                byte[] data = (byte[])source.Clone();
                int flips = random.Next(1, 6);
                for (int i = 0; i < flips; i++)
                {
                    // Box headers and metadata live in the first 2.6 KB and, for the after-jp2c file, in the last 2.4 KB.
                    int position = random.Next(2) == 0 ? random.Next(Math.Min(2700, data.Length)) : data.Length - 1 - random.Next(2400);
                    data[position] = (byte)random.Next(256);
                }

                await ReadOrFail(new MemoryRangeReader("fuzz.jp2", data));
            }
        }
    }

    private static async Task ReadOrFail(IRangeReader file)
    {
        try
        {
            Jp2Info info = await Jp2Reader.ReadAsync(file, null, TestContext.Current.CancellationToken);
            Assert.True(info.BytesRead <= Jp2Limits.Default.ByteBudget);
            Assert.InRange(info.Width, 1, int.MaxValue);
        }
        catch (FormatReadException e)
        {
            Assert.False(string.IsNullOrWhiteSpace(e.Message));
            Assert.DoesNotContain("\n", e.Message, StringComparison.Ordinal);
        }
    }
}
