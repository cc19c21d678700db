using System.Text.Json.Nodes;

namespace Pcrs.WebFront.Ogc;

/// <summary>
/// The OpenAPI 3.0 definition of /ogc (its "service-desc"): the paths of OGC API – Features Part 1 and their
/// parameters. Clients read the limit's maximum from it (GDAL pages with it).
/// </summary>
public static class OgcOpenApi
{
    public const string MediaType = "application/vnd.oai.openapi+json;version=3.0";

    public static JsonObject Document(string baseUrl)
    {
        JsonObject Json(string description, string type = "application/json") => new()
        {
            ["200"] = new JsonObject { ["description"] = description, ["content"] = new JsonObject { [type] = new JsonObject { ["schema"] = new JsonObject { ["type"] = "object" } } } },
        };
        JsonObject Get(string id, string summary, JsonObject responses, params JsonNode[] parameters)
        {
            var operation = new JsonObject { ["operationId"] = id, ["summary"] = summary, ["responses"] = responses };
            if (parameters.Length > 0)
                operation["parameters"] = new JsonArray(parameters);
            return new JsonObject { ["get"] = operation };
        }
        JsonObject Parameter(string name, string location, JsonObject schema, string description, bool required = false) => new()
        {
            ["name"] = name, ["in"] = location, ["required"] = required, ["description"] = description, ["schema"] = schema,
            ["style"] = "form", ["explode"] = false,
        };
        JsonObject Collection() => Parameter("collectionId", "path", new JsonObject { ["type"] = "string" }, "Identifiant de la collection", true);
        var itemsResponses = Json("Objets", OgcResult.GeoJson);
        itemsResponses["400"] = new JsonObject { ["description"] = "Paramètre invalide (ProblemDetails nommant le paramètre)" };
        itemsResponses["404"] = new JsonObject { ["description"] = "Collection inconnue" };
        return new JsonObject
        {
            ["openapi"] = "3.0.3",
            ["info"] = new JsonObject { ["title"] = "Catalogue PCRS – OGC API Features", ["version"] = "1.0.0" },
            ["servers"] = new JsonArray(new JsonObject { ["url"] = baseUrl }),
            ["paths"] = new JsonObject
            {
                ["/"] = Get("getLandingPage", "Page d'accueil", Json("Liens")),
                ["/api"] = Get("getApi", "Cette définition", Json("OpenAPI", MediaType)),
                ["/conformance"] = Get("getConformance", "Classes de conformité", Json("conformsTo")),
                ["/collections"] = Get("getCollections", "Collections", Json("Collections")),
                ["/collections/{collectionId}"] = Get("describeCollection", "Une collection", Json("Collection"), Collection()),
                ["/collections/{collectionId}/items"] = Get("getFeatures", "Objets d'une collection", itemsResponses,
                    Collection(),
                    Parameter("limit", "query", new JsonObject { ["type"] = "integer", ["minimum"] = 1, ["maximum"] = OgcParameters.MaxLimit, ["default"] = OgcParameters.DefaultLimit }, "Nombre maximal d'objets"),
                    Parameter("bbox", "query", new JsonObject { ["type"] = "array", ["minItems"] = 4, ["maxItems"] = 6, ["items"] = new JsonObject { ["type"] = "number" } }, "Boîte en CRS84"),
                    Parameter("datetime", "query", new JsonObject { ["type"] = "string" }, "Instant ou intervalle RFC 3339"),
                    Parameter("cursor", "query", new JsonObject { ["type"] = "string" }, "Curseur de page (liens next)")),
                ["/collections/{collectionId}/items/{featureId}"] = Get("getFeature", "Un objet", Json("Objet", OgcResult.GeoJson),
                    Collection(), Parameter("featureId", "path", new JsonObject { ["type"] = "string" }, "Identifiant de l'objet", true)),
            },
        };
    }
}
