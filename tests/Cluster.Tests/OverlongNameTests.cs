using Pcrs.Cluster.Tests.Infrastructure;
using Pcrs.Grains.Interfaces.Projects;
using Pcrs.Grains.Interfaces.Scanning;
using Pcrs.TestSupport;
using Pcrs.TestSupport.Hostile;

namespace Pcrs.Cluster.Tests;

/// <summary>
/// Names are data: a listing with a file name of 8,000 characters and a folder name of 300,000 letters (past PostgreSQL's
/// btree row limit) next to a valid tile. The long names are refused alone with an error naming them; the tile beside
/// them is read and the scan ends (before: the directory's catalogue write failed and it restarted every minute forever).
/// </summary>
public sealed class OverlongNameTests(CrawlBoundsFixture fixture) : IClassFixture<CrawlBoundsFixture>
{
    [Fact]
    public async Task Overlong_names_are_refused_alone_and_their_siblings_are_scanned()
    {
        var tile = File.ReadAllBytes(Path.Combine(Peers.FixturesDir, "l93_rgb_tiled_lzw.tif"));
        string longFile = new string('f', 8_000) + ".tif", longFolder = new string('d', 300_000) + "/";
        await using var server = new HostileHttpServer(path => path switch
        {
            "/" => HostileAnswer.Listing(path, ["ok.tif", longFile, longFolder, "sub/"], _ => tile.Length),
            "/sub/" => HostileAnswer.Listing(path, ["inner.tif"], _ => tile.Length),
            "/ok.tif" or "/sub/inner.tif" => HostileAnswer.File(tile),
            _ => new HostileAnswer(404),
        });
        var declaration = new StorageDeclaration("d-long-" + Guid.NewGuid().ToString("N")[..6], "http", Peers.Host, server.Port, "/", null, null, true, true);
        string key = Declarations.KeyOf(declaration);
        var declared = await fixture.Cluster.Grains.GetGrain<IDeliverableGrain>(declaration.DeliverableId).DeclareStorage(declaration);
        var view = await fixture.Cluster.WaitForScanAsync(key, declared.Scan.ScanNumber, TimeSpan.FromSeconds(120));

        Assert.Equal(ScanStatus.Succeeded, view.Status);
        Assert.Contains("2 names are too long to be recorded", view.LastError);
        Assert.Contains("\"ffff", view.LastError);
        Assert.True(view.LastError!.Length < 1_000, "the error names the entry without copying it whole");
        Assert.Equal(2, await fixture.Cluster.Database.ScalarAsync(
            $"SELECT count(*) FROM pcrs_tiles WHERE storage_key = '{key}' AND error IS NULL AND epsg = 2154"));
        Assert.Equal(0, await fixture.Cluster.Database.ScalarAsync(
            $"SELECT count(*) FROM pcrs_entries WHERE storage_key = '{key}' AND length(path) > 2000"));
        Assert.DoesNotContain(server.Log, r => r.Path.Length > 2000);
    }
}
