using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Pcrs.Grains.Catalogue;
using Pcrs.TestSupport;

namespace Pcrs.WebFront.Tests;

/// <summary>
/// The web front computes a deliverable's extent when its scan ends, before any page asks for it (ExtentWarmer): the
/// catalogue's footprints of the storage are read with no request but the scan's state, and the extent route then
/// answers from what was computed (no second read). Without the warmer the footprints are read on the first request
/// only, and the wait below never ends.
/// </summary>
[Collection(WebFrontCollection.Name)]
public sealed class ExtentWarmerTests(ExtentWarmerTests.Fixture web) : IClassFixture<ExtentWarmerTests.Fixture>
{
    private static readonly string[] Tiles = ["l93_rgb_tiled_lzw.tif", "l93_rgb_lossless.jp2"];

    public sealed class Fixture : WebFrontFixture
    {
        public CountingCatalogueReader? Reader { get; private set; }

        protected override void Configure(IWebHostBuilder builder) =>
            builder.ConfigureTestServices(services => services.AddSingleton<ICatalogueReader>(sp =>
                Reader = new CountingCatalogueReader((ICatalogueReader)sp.GetRequiredService<ICatalogue>())));
    }

    /// <summary>The catalogue's reader as the web front uses it, counting the reads of footprints per storage.</summary>
    public sealed class CountingCatalogueReader(ICatalogueReader inner) : ICatalogueReader
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _footprintReads = new(StringComparer.Ordinal);

        public int FootprintReads(string storageKey) => _footprintReads.GetValueOrDefault(storageKey);

        public IAsyncEnumerable<string> ListFootprintsAsync(string storageKey, string startPath, CancellationToken cancellationToken)
        {
            _footprintReads.AddOrUpdate(storageKey, 1, (_, n) => n + 1);
            return inner.ListFootprintsAsync(storageKey, startPath, cancellationToken);
        }

        public Task<CatalogueFile?> FindFileAsync(string storageKey, string path, CancellationToken cancellationToken) => inner.FindFileAsync(storageKey, path, cancellationToken);
        public Task<CatalogueAggregate?> AggregateTilesAsync(string storageKey, string startPath, CancellationToken cancellationToken) => inner.AggregateTilesAsync(storageKey, startPath, cancellationToken);
        public Task<ScanStamp?> GetScanStampAsync(string storageKey, CancellationToken cancellationToken) => inner.GetScanStampAsync(storageKey, cancellationToken);
        public IAsyncEnumerable<CatalogueFileError> ListFileErrorsAsync(string storageKey, string startPath, int limit, CancellationToken cancellationToken) => inner.ListFileErrorsAsync(storageKey, startPath, limit, cancellationToken);
        public IAsyncEnumerable<CatalogueDirectoryError> ListDirectoryErrorsAsync(string storageKey, string startPath, int limit, CancellationToken cancellationToken) => inner.ListDirectoryErrorsAsync(storageKey, startPath, limit, cancellationToken);
        public Task<DeclarationRow?> GetDeclarationAsync(string deliverableId, CancellationToken cancellationToken = default) => inner.GetDeclarationAsync(deliverableId, cancellationToken);
        public Task<SubtreeProgress> ReadSubtreeProgressAsync(string storageKey, string startPath, long scanNumber, CancellationToken cancellationToken = default) => inner.ReadSubtreeProgressAsync(storageKey, startPath, scanNumber, cancellationToken);
        public Task<IReadOnlyList<DeclarationRow>> GetDeclarationsAsync(IReadOnlyCollection<string> deliverableIds, CancellationToken cancellationToken) => inner.GetDeclarationsAsync(deliverableIds, cancellationToken);
    }

    [Fact]
    public async Task A_scan_that_ends_gets_its_extent_computed_before_any_request_asks()
    {
        var token = TestContext.Current.CancellationToken;
        var dir = Path.Combine(Peers.DataDir, "webfront-tests", "extent-warmer");
        Directory.CreateDirectory(dir);
        foreach (var name in Tiles)
        {
            if (!File.Exists(Path.Combine(dir, name)))
                File.Copy(Path.Combine(Peers.FixturesDir, name), Path.Combine(dir, name));
        }
        var project = await web.CreateProjectAsync("Projet à l'emprise calculée d'avance");
        var d = $"/api/projects/{project.Id}/deliverables/{project.Deliverables[0]}";
        using var editor = web.Client(project.EditorKey);
        var declare = await editor.PutAsJsonAsync($"{d}/storage", new JsonObject
        {
            ["type"] = "http", ["url"] = $"http://127.0.0.1:{Peers.Nginx}/webfront-tests/extent-warmer/",
            ["publicConnection"] = false, ["downloadAllowed"] = false,
        }, token);
        Assert.Equal(HttpStatusCode.Accepted, declare.StatusCode);
        // Only the scan's state is read (it never touches footprints): any read of them comes from the warmer.
        await ScanStates.SucceededAsync(editor, d);
        var storageKey = (await web.Factory.Services.GetRequiredService<ICatalogueReader>().GetDeclarationAsync(project.Deliverables[0].ToString(), token))!.StorageKey;
        var reader = web.Reader!;

        // The warmer looks every WebFront:ExtentsRefreshInterval (5 s by default); the wait is the scans' own generous
        // one, since the machine may be loaded: it ends as soon as the footprints were read.
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (reader.FootprintReads(storageKey) == 0)
        {
            Assert.True(waited.Elapsed < ScanStates.DefaultTimeout, "the extent was not computed ahead of any request");
            await Task.Delay(250, token);
        }
        int reads = reader.FootprintReads(storageKey);

        // The extent route answers from the entry computed ahead: the footprints are not read again.
        var emprise = await web.Client().GetAsync($"{d}/emprise", token);
        Assert.Equal(HttpStatusCode.OK, emprise.StatusCode);
        Assert.Equal("Feature", (await WebFrontFixture.ReadJsonAsync(emprise))["type"]!.GetValue<string>());
        Assert.Equal(reads, reader.FootprintReads(storageKey));
    }
}
