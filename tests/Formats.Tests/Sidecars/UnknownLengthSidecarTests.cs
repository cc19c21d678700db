using System.Text;
using Pcrs.Grains.Formats;
using Pcrs.Grains.Formats.WorldFile;
using Pcrs.TestSupport;

namespace Pcrs.Formats.Tests.Sidecars;

/// <summary>
/// Sidecars whose length the listing did not give exactly (Apache and lighttpd round it, Python's http.server prints
/// none): read whole, their length learnt from the first read's answer as a remote read learns it from Content-Range.
/// </summary>
public sealed class UnknownLengthSidecarTests
{
    /// <summary>Knows no length until read, then the exact one, as a storage range reader after a first request.</summary>
    private sealed class LearnsLengthOnRead(string name, byte[] data) : IRangeReader
    {
        private bool _read;

        public string Name => name;

        public long? Length => _read ? data.Length : null;

        public int Requests { get; private set; }

        public ValueTask<int> ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken)
        {
            Requests++;
            _read = true;
            int count = offset >= data.Length ? 0 : (int)Math.Min(buffer.Length, data.Length - offset);
            data.AsSpan((int)Math.Min(offset, data.Length), count).CopyTo(buffer.Span);
            return ValueTask.FromResult(count);
        }
    }

    [Fact]
    public async Task An_aux_xml_of_unknown_length_is_read_whole_in_one_request_or_two()
    {
        string fixture = Path.Combine(Peers.FixturesDir, "nogeo_rgb_with_aux_xml.jp2.aux.xml");
        string aux = await File.ReadAllTextAsync(fixture, TestContext.Current.CancellationToken);
        var small = new LearnsLengthOnRead("x.jp2.aux.xml", Encoding.UTF8.GetBytes(aux));
        // Past the first 16 KiB request: a comment pads the document (GDAL writes band statistics and histograms there).
        var padded = new LearnsLengthOnRead("x.jp2.aux.xml", Encoding.UTF8.GetBytes(aux.Replace("<PAMDataset>",
            "<PAMDataset><!--" + new string('x', 40_000) + "-->", StringComparison.Ordinal)));

        foreach (var (sidecar, requests) in new[] { (small, 1), (padded, 2) })
        {
            var resolved = await SidecarResolver.ResolveAsync("x.jp2", null, null, null, [sidecar], TestContext.Current.CancellationToken);
            Assert.Equal(2154, resolved.Epsg);
            Assert.Equal("AuxXml", resolved.GeoTransformSource);
            Assert.Equal(requests, sidecar.Requests);
            Assert.Equal(sidecar.Length, resolved.BytesRead);
        }
    }

    [Fact]
    public async Task A_world_file_of_unknown_length_gives_the_same_transform_as_a_known_one()
    {
        byte[] world = Encoding.ASCII.GetBytes("0.5\n0.0\n0.0\n-0.5\n652000.25\n6862999.75\n");
        var unknown = new LearnsLengthOnRead("x.j2w", world);
        var resolved = await SidecarResolver.ResolveAsync("x.jp2", null, null, null, [unknown], TestContext.Current.CancellationToken);
        var known = await SidecarResolver.ResolveAsync("x.jp2", null, null, null, [new MemoryRangeReader("x.j2w", world)], TestContext.Current.CancellationToken);
        Assert.Equal(known.GeoTransform, resolved.GeoTransform);
        Assert.Equal(1, unknown.Requests);
    }
}
