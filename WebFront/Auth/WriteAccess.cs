using Pcrs.Grains.Projects;

namespace Pcrs.WebFront.Auth;

/// <summary>
/// Endpoint filters guarding the write routes. No token: 401. An administrator token: allowed everywhere. A project's
/// editor key: allowed on that project only, 403 elsewhere (and on admin-only routes). An unknown token: 401.
/// </summary>
public static class WriteAccess
{
    /// <summary>Only administrators (POST and DELETE /api/projects).</summary>
    public static TBuilder RequireAdmin<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
    {
        builder.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var token = AccessTokens.ReadBearer(http);
            if (token is null)
                return Unauthorized(http);
            var hash = AccessTokens.Hash(token);
            if (http.RequestServices.GetRequiredService<AccessTokens>().IsAdmin(hash))
                return await next(context);
            var store = http.RequestServices.GetRequiredService<ProjectStore>();
            return await store.FindProjectByEditorKeyHashAsync(hash, http.RequestAborted) is null
                ? Unauthorized(http)
                : Forbidden("This route is for administrators; an editor key does not open it.");
        });
        return builder.WithMetadata(new WriteAccessMetadata("admin"))
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);
    }

    /// <summary>Administrators, or the editor key of the project named by the {id} route value.</summary>
    public static TBuilder RequireProjectEditor<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
    {
        builder.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var token = AccessTokens.ReadBearer(http);
            if (token is null)
                return Unauthorized(http);
            var hash = AccessTokens.Hash(token);
            if (http.RequestServices.GetRequiredService<AccessTokens>().IsAdmin(hash))
                return await next(context);
            var store = http.RequestServices.GetRequiredService<ProjectStore>();
            var owner = await store.FindProjectByEditorKeyHashAsync(hash, http.RequestAborted);
            if (owner is null)
                return Unauthorized(http);
            var routeId = http.Request.RouteValues["id"]?.ToString();
            return Guid.TryParse(routeId, out var projectId) && projectId == owner
                ? await next(context)
                : Forbidden("This editor key belongs to another project.");
        });
        return builder.WithMetadata(new WriteAccessMetadata("editor"))
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);
    }

    private static IResult Unauthorized(HttpContext http)
    {
        http.Response.Headers.WWWAuthenticate = "Bearer";
        return TypedResults.Problem(
            statusCode: StatusCodes.Status401Unauthorized,
            title: "Authentication required",
            detail: "Send 'Authorization: Bearer <token>' with the project's editor key or an administrator token.");
    }

    private static IResult Forbidden(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden", detail: detail);
}

/// <summary>Marks write routes (who may call them) so tests and the OpenAPI document can list them.</summary>
public sealed record WriteAccessMetadata(string Role);
