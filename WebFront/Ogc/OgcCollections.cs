using System.Globalization;
using System.Text.Json.Nodes;
using Pcrs.WebFront.Projects;
using Pcrs.WebFront.Metadata;

namespace Pcrs.WebFront.Ogc;

/// <summary>
/// The feature collections the OGC API serves: "projets" (one feature per project: where its scanned data lies) and,
/// for every deliverable whose storage is declared and scanned, "livrable-{id}" (one feature per tile, with the tile
/// index's attributes). A revoked storage has no declaration, so its collection is gone at once.
/// </summary>
public static class OgcCollections
{
    public const string Projects = "projets";
    public const string DeliverablePrefix = "livrable-";

    public static string DeliverableId(Guid deliverable) => DeliverablePrefix + deliverable.ToString("D");

    /// <summary>Every served deliverable, with its scan's aggregate (computed once per scan).</summary>
    public static async Task<List<DeliverableContext>> DeliverablesAsync(HttpContext http, CancellationToken ct)
    {
        var declared = http.RequestServices.GetRequiredService<DeclaredDeliverables>();
        var result = new List<DeliverableContext>();
        await foreach (var (projectId, project, deliverable, storage) in declared.ListProvenAsync(ct))
        {
            var context = await DeliverableContext.CreateAsync(http, projectId, project, deliverable, storage, ct);
            if (context.Aggregate?.Extent is not null)
                result.Add(context);
        }
        return result;
    }

    /// <summary>One served deliverable by collection id, or null.</summary>
    public static async Task<DeliverableContext?> FindDeliverableAsync(HttpContext http, string collectionId, CancellationToken ct)
    {
        if (!collectionId.StartsWith(DeliverablePrefix, StringComparison.Ordinal) || !Guid.TryParse(collectionId[DeliverablePrefix.Length..], out var id))
            return null;
        var declared = http.RequestServices.GetRequiredService<DeclaredDeliverables>();
        await foreach (var (projectId, project, deliverable, storage) in declared.ListProvenAsync(ct))
        {
            if (deliverable.Id != id)
                continue;
            var context = await DeliverableContext.CreateAsync(http, projectId, project, deliverable, storage, ct);
            return context.Aggregate?.Extent is null ? null : context;
        }
        return null;
    }

    public static JsonObject DeliverableCollection(string baseUrl, DeliverableContext context, (DateTimeOffset? First, DateTimeOffset? Last) modified)
    {
        var id = DeliverableId(context.Deliverable.Id);
        var extent = context.Aggregate!.Extent!.Value;
        return Collection(baseUrl, id, $"{context.Project.Name} – {context.Deliverable.Document.Name}",
            $"Dalles du livrable « {context.Deliverable.Document.Name} » ({context.Aggregate.Tiles} fichiers" +
            (context.Epsg is { } epsg ? $", EPSG:{epsg}" : "") + "), attributs RasterPCRS du géostandard CNIG. " +
            "La dimension temporelle est le jour d'acquisition déclaré, sinon la date de modification des fichiers sur le stockage.",
            [extent.West, extent.South, extent.East, extent.North], context.AcquiredAt ?? modified.First, context.AcquiredAt ?? modified.Last);
    }

    public static JsonObject ProjectsCollection(string baseUrl, double[]? bbox) =>
        Collection(baseUrl, Projects, "Projets PCRS",
            "Un objet par projet : l'union des emprises de ses livrables analysés (null tant qu'aucun ne l'est). " +
            "La dimension temporelle est la date de début de l'étape en cours.",
            bbox ?? [-180, -90, 180, 90], null, null);

    private static JsonObject Collection(string baseUrl, string id, string title, string description, double[] bbox, DateTimeOffset? first, DateTimeOffset? last)
    {
        var self = $"{baseUrl}/collections/{id}";
        return new JsonObject
        {
            ["id"] = id,
            ["title"] = title,
            ["description"] = description,
            ["itemType"] = "feature",
            ["crs"] = new JsonArray("http://www.opengis.net/def/crs/OGC/1.3/CRS84"),
            ["extent"] = new JsonObject
            {
                ["spatial"] = new JsonObject
                {
                    ["bbox"] = new JsonArray(new JsonArray(bbox.Select(v => (JsonNode)Math.Round(v, 7)).ToArray())),
                    ["crs"] = "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
                },
                ["temporal"] = new JsonObject
                {
                    ["interval"] = new JsonArray(new JsonArray(Instant(first), Instant(last))),
                    ["trs"] = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian",
                },
            },
            ["links"] = new JsonArray(
                OgcResult.Link(self, "self", OgcResult.Json, title),
                OgcResult.Link(self + "?f=html", "alternate", OgcResult.Html, title),
                OgcResult.Link(self + "/items", "items", OgcResult.GeoJson, "Objets"),
                OgcResult.Link(self + "/items?f=html", "items", OgcResult.Html, "Objets (HTML)")),
        };
    }

    public static JsonNode? Instant(DateTimeOffset? value) =>
        value is { } v ? v.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) : null;
}
