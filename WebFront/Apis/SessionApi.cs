using Pcrs.WebFront.Auth;

namespace Pcrs.WebFront.Apis;

/// <summary>Who the caller's token makes them: the follow-up form asks once, then opens the right project or the admin screen.</summary>
public static class SessionApi
{
    public sealed record SessionResponse(string Role, Guid? ProjectId);

    public static IEndpointRouteBuilder MapSessionApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("api/session", (Delegate)Handler)
            .WithTags("Session")
            .WithName("GetSession")
            .WithSummary("The role of the bearer token: admin, or editor with the project it opens; 401 for no or an unknown token")
            .Produces<SessionResponse>()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .RequireRateLimiting(WebFrontPolicies.PublicRateLimit);
        return app;
    }

    public static async Task<IResult> GetSession(HttpContext http) =>
        await WriteAccess.IdentifyAsync(http) switch
        {
            null => WriteAccess.Unauthorized(http),
            { IsAdmin: true } => TypedResults.Ok(new SessionResponse("admin", null)),
            var editor => TypedResults.Ok(new SessionResponse("editor", editor.EditorOf)),
        };

    private static readonly Func<HttpContext, Task<IResult>> Handler = GetSession;
}
