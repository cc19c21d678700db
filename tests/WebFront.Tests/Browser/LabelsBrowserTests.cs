using Pcrs.Grains.Catalogue;
using Pcrs.Grains.Formats;
using Pcrs.Grains.Interfaces.Scanning;
using Pcrs.Grains.Scanning;
using Pcrs.WebFront.Validation;

namespace Pcrs.WebFront.Tests.Browser;

/// <summary>
/// Every code the API can put on a page has its French label in the pages' one table (wwwroot/js/labels.js), read in
/// the browser: the vocabularies the server validates, every scan state it writes (partial included), every tile
/// classification and summary nature, the formats and band names the readers report. A code added on the server
/// without its label fails here instead of showing raw on a page.
/// </summary>
[Collection(WebFrontCollection.Name)]
public sealed class LabelsBrowserTests(LabelsBrowserTests.Fixture web) : IClassFixture<LabelsBrowserTests.Fixture>
{
    public sealed class Fixture : BrowserFixture;

    private static Dictionary<string, string[]> Codes() => new(StringComparer.Ordinal)
    {
        ["status"] = ProjectVocabulary.StepStatuses,
        ["regime"] = ProjectVocabulary.Regimes,
        ["projectNature"] = ProjectVocabulary.ProjectNatures,
        ["deliverableNature"] = ProjectVocabulary.DeliverableNatures,
        ["licence"] = ProjectVocabulary.Licences,
        ["diffusion"] = ProjectVocabulary.Diffusions,
        ["storageType"] = ProjectVocabulary.StorageTypes,
        ["tls"] = ProjectVocabulary.FtpTls,
        ["role"] = ProjectVocabulary.ActorRoles,
        ["subsidy"] = ProjectVocabulary.SubsidyNatures,
        ["scan"] = [.. Enum.GetValues<ScanStatus>().Select(ScanStatusText.ToText), ScanStatusText.Running],
        // A deliverable's summary nature is a tile classification, or mixed, empty, unknown (Grains/Scanning/ScanSummaries).
        ["classification"] = [.. Enum.GetValues<TileClassification>().Select(TileRows.ClassificationLabel), "mixed", "empty"],
        // TileMetadata.Format and the band names (GDAL colour interpretations) the readers report.
        ["format"] = ["GeoTIFF", "JPEG2000", "GML", "GeoPackage", "DXF"],
        ["band"] = ["Red", "Green", "Blue", "NIR", "Alpha", "Gray", "Undefined"],
    };

    [Fact]
    public async Task Every_code_the_api_can_send_has_a_french_label()
    {
        var page = await web.NewPageAsync();
        await page.GotoAsync("/donnees");
        var codes = Codes();
        var missing = await page.EvaluateAsync<string[]>("""
            async (codes) => {
              const { entries } = await import("/js/labels.js");
              const missing = [];
              for (const [kind, list] of Object.entries(codes)) {
                const known = new Set(entries(kind).map(([code]) => code));
                for (const code of list) if (!known.has(code)) missing.push(`${kind}: ${code}`);
              }
              return missing;
            }
            """, codes);
        Assert.True(missing.Length == 0, "Codes without a French label:\n" + string.Join('\n', missing));
        Assert.Contains("partial", codes["scan"]);
        Assert.Equal("Partiel", await page.EvaluateAsync<string>("async () => (await import('/js/labels.js')).label('scan', 'partial')"));
    }
}
