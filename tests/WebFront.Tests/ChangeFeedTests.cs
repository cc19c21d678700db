using System.Net;
using System.Xml.Linq;

namespace Pcrs.WebFront.Tests;

/// <summary>The Atom change feed: a scan that brought tiles, then a revocation, globally and per project; xmllint reads it.</summary>
[Collection(WebFrontCollection.Name)]
public sealed class ChangeFeedTests(WebFrontFixture web) : IClassFixture<WebFrontFixture>
{
    private static readonly XNamespace Atom = "http://www.w3.org/2005/Atom";

    private static async Task<XDocument> FeedAsync(HttpClient client, string route)
    {
        var response = await client.GetAsync(route);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/atom+xml", response.Content.Headers.ContentType?.MediaType);
        var file = await Tools.SaveAsync(response, ".xml");
        await Tools.RunAsync("xmllint", "--noout", file);
        return XDocument.Load(file);
    }

    [Fact]
    public async Task Scans_that_bring_tiles_and_revocations_appear_in_the_global_and_project_feeds()
    {
        var grid = GridTiles.Prepare("feed-2x2", 2, 2);
        var (project, d) = await GridTiles.ScannedProjectAsync(web, "Flux Atom", grid);
        using var client = web.Client();

        var feed = await FeedAsync(client, "/api/feeds/changes.atom");
        Assert.NotNull(feed.Root!.Element(Atom + "updated"));
        var scan = Assert.Single(feed.Root.Elements(Atom + "entry"), e => e.Element(Atom + "title")!.Value == "Dalles mises à jour : Flux Atom – Images raster 0");
        Assert.StartsWith("4 fichiers de données lus", scan.Element(Atom + "summary")!.Value, StringComparison.Ordinal);
        Assert.EndsWith($"/projects/{project.Id}", scan.Element(Atom + "link")!.Attribute("href")!.Value, StringComparison.Ordinal);

        using (var editor = web.Client(project.EditorKey))
            Assert.Equal(HttpStatusCode.NoContent, (await editor.DeleteAsync($"{d}/storage")).StatusCode);
        var own = await FeedAsync(client, $"/api/projects/{project.Id}/changes.atom");
        Assert.Contains(own.Root!.Elements(Atom + "entry"), e => e.Element(Atom + "title")!.Value == "Stockage révoqué : Flux Atom");
        Assert.Contains(own.Root.Elements(Atom + "entry"), e => e.Element(Atom + "title")!.Value.StartsWith("Stockage révoqué", StringComparison.Ordinal));

        // A deleted project has no feed, and leaves the global one.
        using (var admin = web.Client(WebFrontFixture.AdminToken))
            Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/projects/{project.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/projects/{project.Id}/changes.atom")).StatusCode);
        Assert.DoesNotContain(project.Id.ToString(), (await FeedAsync(client, "/api/feeds/changes.atom")).ToString());
    }
}
