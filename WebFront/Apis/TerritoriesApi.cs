using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Pcrs.WebFront.Territories;

namespace Pcrs.WebFront.Apis;

/// <summary>Communes, EPCI and départements from the official list: names of perimeter codes and a search by name.</summary>
public static class TerritoriesApi
{
    public sealed record TerritoryResponse(string Id, string Kind, string Code, string Name, string? Context);

    public sealed record PlaceMatch(TerritoryResponse Place, IReadOnlyList<string> Touching);

    public static IEndpointRouteBuilder MapTerritoriesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("api/territories").WithTags("Territories").RequireRateLimiting(WebFrontPolicies.PublicRateLimit);
        api.MapGet("/", Search)
            .WithName("SearchTerritories")
            .WithSummary("Communes, EPCI and départements whose name matches ?q= (accents and case ignored), best first; ?ids=a,b gives those perimeters by id");
        api.MapGet("/{id}/touching", Touching)
            .WithName("TerritoryTouching")
            .WithSummary("The perimeter ids a project may have declared that cover part of this place (itself, its EPCI and département, its communes)");
        return app;
    }

    public static Results<Ok<List<TerritoryResponse>>, ValidationProblem> Search(string? q, string? ids, int? limit, [FromServices] TerritoryIndex index)
    {
        if (ids is not null)
        {
            var wanted = ids.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (wanted.Length > 500)
                return TypedResults.ValidationProblem(new Dictionary<string, string[]>(StringComparer.Ordinal) { ["ids"] = ["At most 500 ids."] });
            return TypedResults.Ok(wanted.Select(id => index.Find(id)).OfType<Territory>().Select(ToResponse).ToList());
        }
        if (string.IsNullOrWhiteSpace(q) || q.Length > 100)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>(StringComparer.Ordinal) { ["q"] = ["Give 2 to 100 characters of a place name."] });
        return TypedResults.Ok(index.Search(q, Math.Clamp(limit ?? 10, 1, 50)).Select(ToResponse).ToList());
    }

    public static Results<Ok<PlaceMatch>, NotFound> Touching(string id, [FromServices] TerritoryIndex index) =>
        index.Find(id) is { } place
            ? TypedResults.Ok(new PlaceMatch(ToResponse(place), index.Touching(id).Order(StringComparer.Ordinal).ToList()))
            : TypedResults.NotFound();

    private static TerritoryResponse ToResponse(Territory t) => new(t.Id, t.Kind, t.Code, t.Name, t.Context);
}
