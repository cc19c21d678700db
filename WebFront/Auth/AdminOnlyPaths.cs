namespace Pcrs.WebFront.Auth;

/// <summary>
/// Operators' pages that are not API routes (the Prometheus scrape endpoint, the Orleans Dashboard): their endpoints are
/// mapped by libraries, so the admin check is a middleware on their paths instead of an endpoint filter. An
/// administrator token as Bearer opens them; no token: 401; any other token: 403.
/// </summary>
public static class AdminOnlyPaths
{
    public const string Metrics = "/metrics";
    public const string Dashboard = "/dashboard";

    public static WebApplication UseAdminOnlyPaths(this WebApplication app)
    {
        app.UseWhen(context => context.Request.Path.StartsWithSegments(Metrics, StringComparison.OrdinalIgnoreCase) || context.Request.Path.StartsWithSegments(Dashboard, StringComparison.OrdinalIgnoreCase),
            branch => branch.Use(async (context, next) =>
            {
                var token = AccessTokens.ReadBearer(context);
                int status = token is null ? StatusCodes.Status401Unauthorized
                    : context.RequestServices.GetRequiredService<AccessTokens>().IsAdmin(AccessTokens.Hash(token)) ? 0
                    : StatusCodes.Status403Forbidden;
                if (status == 0)
                {
                    await next(context);
                    return;
                }
                if (status == StatusCodes.Status401Unauthorized)
                    context.Response.Headers.WWWAuthenticate = "Bearer";
                context.Response.StatusCode = status;
                await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new()
                {
                    HttpContext = context,
                    ProblemDetails =
                    {
                        Status = status,
                        Title = status == StatusCodes.Status401Unauthorized ? "Authentication required" : "Forbidden",
                        Detail = "Metrics and the Orleans Dashboard are for administrators: send 'Authorization: Bearer <administrator token>'.",
                    },
                });
            }));
        return app;
    }
}
