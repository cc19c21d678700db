using Pcrs.Grains.Projects;

namespace Pcrs.WebFront.Auth;

/// <summary>
/// Endpoint filters guarding the write routes. No token: 401. An administrator token: allowed everywhere. A project's
/// editor key: allowed on that project only, 403 elsewhere (and on admin-only routes). An unknown token: 401, and 429
/// once its client has presented too many (<see cref="AuthFailureThrottle"/>).
/// </summary>
public static class WriteAccess
{
    /// <summary>Only administrators (POST and DELETE /api/projects).</summary>
    public static TBuilder RequireAdmin<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
    {
        builder.AddEndpointFilter(async (context, next) =>
        {
            var caller = await IdentifyAsync(context.HttpContext);
            if (caller is null)
                return Unauthorized(context.HttpContext);
            return caller.IsAdmin
                ? await next(context)
                : Forbidden("This route is for administrators; an editor key does not open it.");
        });
        return builder.DescribeWriteAccess("admin");
    }

    /// <summary>Administrators, or the editor key of the project named by the {id} route value.</summary>
    public static TBuilder RequireProjectEditor<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
    {
        builder.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var caller = await IdentifyAsync(http);
            if (caller is null)
                return Unauthorized(http);
            if (caller.IsAdmin)
                return await next(context);
            var routeId = http.Request.RouteValues["id"]?.ToString();
            return Guid.TryParse(routeId, out var projectId) && projectId == caller.EditorOf
                ? await next(context)
                : Forbidden("This editor key belongs to another project.");
        });
        return builder.DescribeWriteAccess("editor");
    }

    /// <summary>Who sent the request: an administrator, or the project whose editor key it carries; null for no or an unknown token.</summary>
    public static async Task<Caller?> IdentifyAsync(HttpContext http)
    {
        var token = AccessTokens.ReadBearer(http);
        if (token is null)
            return null;
        var hash = AccessTokens.Hash(token);
        if (http.RequestServices.GetRequiredService<AccessTokens>().IsAdmin(hash))
            return new Caller(IsAdmin: true, EditorOf: null);
        // An unknown token counts against its client; past the bound, tokens are not looked up (AuthFailureThrottle).
        var throttle = http.RequestServices.GetRequiredService<AuthFailureThrottle>();
        string client = AuthFailureThrottle.ClientOf(http);
        throttle.ThrowIfBlocked(client, hash);
        var owner = await http.RequestServices.GetRequiredService<ProjectStore>()
            .FindProjectByEditorKeyHashAsync(hash, http.RequestAborted);
        if (owner is null)
        {
            throttle.RecordFailure(client);
            return null;
        }
        throttle.RecordProven(hash);
        return new Caller(IsAdmin: false, EditorOf: owner);
    }

    private static TBuilder DescribeWriteAccess<TBuilder>(this TBuilder builder, string role) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new WriteAccessMetadata(role))
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);

    public sealed record Caller(bool IsAdmin, Guid? EditorOf);

    public static IResult Unauthorized(HttpContext http)
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
