using Pcrs.Cluster.Tests.Infrastructure;
using Pcrs.Grains.Catalogue;

namespace Pcrs.Cluster.Tests;

/// <summary>
/// The multi-row tile upsert on PostgreSQL: per-row arrays travel as array literals, so values that need quoting
/// (quotes, backslashes, commas, braces, NULL as a word) and special doubles must come back exactly as written.
/// </summary>
public sealed class TileUpsertTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RowsOfOneBatchComeBackExactlyIncludingQuotedArraysAndSpecialDoubles()
    {
        await using var database = await TestDatabase.CreateAsync("tileupsert");
        var catalogue = new PostgresCatalogue(database.DataSource);
        var at = new DateTimeOffset(2026, 12, 3, 8, 0, 0, TimeSpan.Zero);
        var odd = new TileRow
        {
            StorageKey = "http://s:1", Path = "/a/odd.tif", Size = 42, ModifiedAt = at, ETag = "\"e1\"", SidecarSignature = "x.tfw:1:2",
            Format = "GeoTIFF", Classification = "PCRS raster", Width = 4000, Height = 4000, Bands = 3,
            BandNames = ["Red \"R\"", "back\\slash", "a,b {c}", "NULL", ""], BitsPerSample = 8, Epsg = 2154, CrsName = "RGF93 v1 / Lambert-93",
            GeoTransform = [600200.05, 0.05, 0, double.NaN, double.PositiveInfinity, -1e-300], Resolution = 0.05, Compression = "DEFLATE",
            FootprintGeoJson = """{"type":"Polygon","coordinates":[[[1,2],[3,4],[5,6],[1,2]]]}""",
            Bounds = new GeoBox(1, 2, 5, 6), BytesRead = 4096, ScanNumber = 7, ScannedAt = at,
            GeoreferenceSource = "WorldFile", ConformityHints = ["resolution 0.1 m is coarser than 5 cm", "quote \" and {brace}"],
            FeatureCounts = new Dictionary<string, long> { ["pcrs:EmpriseEchangePCRS"] = 1 }, NativeExtent = [600200.05, 6600000, 600400.05, 6600200],
            CloudOptimized = true,
        };
        var bare = new TileRow { StorageKey = "http://s:1", Path = "/a/bare.bin", Error = "unreadable", ScanNumber = 7, ScannedAt = at };
        var stale = odd with { Width = 1 };

        await catalogue.UpsertTilesAsync([stale, bare, odd], Ct);

        var read = await catalogue.GetTileAsync("http://s:1", "/a/odd.tif", Ct);
        Assert.NotNull(read);
        Assert.Equal(odd.BandNames, read.BandNames);
        Assert.Equal(odd.GeoTransform, read.GeoTransform);
        Assert.Equal(4000, read.Width); // the last row of a path in a batch wins
        Assert.Equal(odd.ETag, read.ETag);
        Assert.Equal(odd.ModifiedAt, read.ModifiedAt);
        Assert.Equal(odd.Bounds, read.Bounds);
        Assert.Contains("\"Polygon\"", read.FootprintGeoJson, StringComparison.Ordinal);
        // What the readers compute beyond the header fields (migration 0140) comes back as written.
        Assert.Equal("WorldFile", read.GeoreferenceSource);
        Assert.Equal(odd.ConformityHints, read.ConformityHints);
        Assert.Equal(1, read.FeatureCounts!["pcrs:EmpriseEchangePCRS"]);
        Assert.Equal(odd.NativeExtent, read.NativeExtent);
        Assert.True(read.CloudOptimized); // migration 0260
        var empty = await catalogue.GetTileAsync("http://s:1", "/a/bare.bin", Ct);
        Assert.NotNull(empty);
        Assert.Empty(empty.BandNames);
        Assert.Null(empty.GeoTransform);
        Assert.Null(empty.Width);
        Assert.Equal("unreadable", empty.Error);
        Assert.Null(empty.ConformityHints);
        Assert.Null(empty.FeatureCounts);
        Assert.Null(empty.NativeExtent);
        Assert.Null(empty.GeoreferenceSource);
        Assert.Null(empty.CloudOptimized);

        await catalogue.UpsertTilesAsync([odd with { Error = "changed", Width = 2 }], Ct);
        var updated = await catalogue.GetTileAsync("http://s:1", "/a/odd.tif", Ct);
        Assert.Equal(("changed", 2), (updated!.Error, updated.Width));
        Assert.Equal(2, await database.ScalarAsync("SELECT count(*) FROM pcrs_tiles"));
    }

    /// <summary>
    /// A read of a stopped scan (paused, superseded) may end after the next scan read the same file: its row must not
    /// replace the newer one (a pause and resume once left 7 of 1,000 tiles with the stopped scan's errors).
    /// </summary>
    [Fact]
    public async Task A_late_row_of_an_older_scan_never_replaces_a_newer_scans_row()
    {
        await using var database = await TestDatabase.CreateAsync("tilestale");
        var at = new DateTimeOffset(2026, 12, 7, 18, 0, 0, TimeSpan.Zero);
        var newer = new TileRow { StorageKey = "http://s:1", Path = "/a/t.tif", Format = "GeoTIFF", Width = 4000, ScanNumber = 8, ScannedAt = at };
        foreach (ICatalogue catalogue in new ICatalogue[] { new PostgresCatalogue(database.DataSource), new InMemoryCatalogue() })
        {
            await catalogue.UpsertTilesAsync([newer], Ct);
            await catalogue.UpsertTilesAsync([newer with { ScanNumber = 7, Width = null, Error = "The file could not be analysed." }], Ct);
            var kept = await catalogue.GetTileAsync("http://s:1", "/a/t.tif", Ct);
            Assert.Equal((8L, (string?)null, (int?)4000), (kept!.ScanNumber, kept.Error, kept.Width));

            // The same scan (a retry) and a newer one still write.
            await catalogue.UpsertTilesAsync([newer with { Width = 2 }], Ct);
            Assert.Equal(2, (await catalogue.GetTileAsync("http://s:1", "/a/t.tif", Ct))!.Width);
            await catalogue.UpsertTilesAsync([newer with { ScanNumber = 9, Error = "changed" }], Ct);
            var rescanned = await catalogue.GetTileAsync("http://s:1", "/a/t.tif", Ct);
            Assert.Equal((9L, "changed"), (rescanned!.ScanNumber, rescanned.Error));
        }
    }
}
