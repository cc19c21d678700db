using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Orleans.Dashboard;
using Pcrs.Grains.Projects;
using Pcrs.Grains.Storage;
using Pcrs.WebFront.ApiReference;
using Pcrs.WebFront.Apis;
using Pcrs.WebFront.Auth;
using Pcrs.WebFront.Catalogue;
using Pcrs.WebFront.Downloads;
using Pcrs.WebFront.Projects;
using Pcrs.WebFront.Scanning;
using Scalar.AspNetCore;

namespace Pcrs.WebFront;

/// <summary>Registration and mapping of the web front's API and pages (called from Program.cs).</summary>
public static class WebFrontExtensions
{
    public static IServiceCollection AddWebFront(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AuthOptions>().Bind(configuration.GetSection(AuthOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<WebFrontOptions>().Bind(configuration.GetSection(WebFrontOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();

        // The database (its data source) comes from the hosting layer (AddPcrsServices), the catalogue's read side from scanning.
        services.TryAddSingleton<ProjectStore>();
        services.TryAddSingleton<DeclaredDeliverables>();
        services.TryAddSingleton<AccessTokens>();
        services.TryAddSingleton<IScanGateway, OrleansScanGateway>();
        services.AddStorageAccess(configuration);
        services.TryAddSingleton<StorageReads>();
        services.TryAddSingleton<ZipCrcCache>();
        services.TryAddSingleton<Import.DeclarationImporter>();
        services.AddOptions<DownloadOptions>().Bind(configuration.GetSection(DownloadOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<ScanDataSummaries>();
        services.AddHostedService<ExtentWarmer>();
        services.TryAddSingleton<Pages.PageRenderer>();
        services.TryAddSingleton<Territories.TerritoryIndex>();

        services.AddProblemDetails(o => o.CustomizeProblemDetails = Problems.CodedProblems.Add);
        services.AddExceptionHandler<JsonBodyExceptionHandler>();
        services.AddExceptionHandler<DatabaseUnavailableExceptionHandler>();
        services.AddExceptionHandler<AuthThrottledExceptionHandler>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<AuthFailureThrottle>();
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.Configure<JsonOptions>(o =>
        {
            o.SerializerOptions.DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.Never;
            // A misspelled field ("pasword") is a 400 naming it (JsonBodyExceptionHandler), never silently dropped.
            o.SerializerOptions.UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow;
        });
        services.AddOpenApi(options => options.AddPcrsReference());
        // HTTP server metrics and traces, and the Prometheus exporter, on top of the meters every host registers (PcrsTelemetry).
        services.ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddAspNetCoreInstrumentation().AddPrometheusExporter());
        services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddAspNetCoreInstrumentation());
        services.AddOutputCache();
        services.AddOptions<Microsoft.AspNetCore.OutputCaching.OutputCacheOptions>()
            .Configure<IOptions<WebFrontOptions>>((cache, web) => cache.AddPolicy(WebFrontPolicies.ScanDataCache, policy =>
            {
                // A zero duration turns the cache off (load tests measure the routes themselves).
                if (web.Value.ScanDataCacheDuration <= TimeSpan.Zero)
                    policy.NoCache();
                else
                    policy.Expire(web.Value.ScanDataCacheDuration).SetVaryByQuery("bbox").Tag(WebFrontPolicies.ProjectsTag);
            }));
        services.AddOptions<Microsoft.AspNetCore.OutputCaching.OutputCacheOptions>()
            .Configure<IOptions<WebFrontOptions>>((cache, web) => cache.AddPolicy(MapsApi.ExtentsCache, policy =>
            {
                if (web.Value.ScanDataCacheDuration <= TimeSpan.Zero)
                    policy.NoCache();
                else
                    policy.Expire(web.Value.ScanDataCacheDuration).SetVaryByQuery("zoom").Tag(WebFrontPolicies.ProjectsTag);
            }));
        services.TryAddSingleton<Downloads.DownloadBudget>();
        services.TryAddSingleton<Pcrs.Grains.Catalogue.ITileMetadataReader, Pcrs.Grains.Catalogue.PostgresTileMetadataReader>();
        services.TryAddSingleton<Exports.ExportVersions>();
        services.TryAddSingleton<Exports.ExportValidatorsFilter>();
        services.TryAddSingleton<Exports.CsvExport>();
        services.TryAddSingleton<Metadata.MetadataCache>();
        services.TryAddSingleton<Metadata.ExportProgress>();
        services.AddResponseCompression(compression =>
        {
            // Exports and metadata are text that compresses 5-20x; file downloads (octet-stream) are never recompressed.
            compression.EnableForHttps = true;
            compression.MimeTypes = ["text/csv", "application/geo+json", "application/json", "application/xml", "application/atom+xml",
                "application/vnd.oai.openapi+json", "text/html"];
        });
        services.AddRateLimiter(_ => { });
        // Only the configured proxies are believed (the framework's default also trusts loopback).
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<WebFrontOptions>>((forwarded, web) =>
        {
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            // Every trusted hop is unwound, up to the first address that is not a trusted proxy.
            forwarded.ForwardLimit = null;
            foreach (var proxy in web.Value.TrustedProxies)
            {
                if (TrustedProxy.TryParse(proxy, out var network))
                    forwarded.KnownIPNetworks.Add(network);
            }
        });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<WebFrontOptions>>((limiter, web) =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.AddPolicy(WebFrontPolicies.PublicRateLimit, context => PerClient(context, web.Value.PublicRequestsPerMinute));
            limiter.OnRejected = async (context, cancellationToken) =>
            {
                context.HttpContext.Response.Headers.RetryAfter = "60";
                await context.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>().TryWriteAsync(new()
                {
                    HttpContext = context.HttpContext,
                    ProblemDetails = { Status = 429, Title = "Too many requests", Detail = "Slow down: this address sent too many requests this minute." },
                });
            };
        });
        return services;
    }

    /// <summary>Middleware of the API (call before mapping): errors as ProblemDetails, rate limits, output cache, static pages.</summary>
    public static WebApplication UseWebFront(this WebApplication app)
    {
        app.UseForwardedHeaders(); // first: what follows (limits, logs) sees the client behind a trusted proxy
        app.UseResponseCompression();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAdminOnlyPaths();
        app.UseDefaultFiles();
        app.UseStaticFiles();
        app.UseRateLimiter();
        app.UseOutputCache();
        return app;
    }

    public static WebApplication MapWebFront(this WebApplication app)
    {
        app.MapProjectsApi();
        app.MapStoragesApi();
        app.MapScanHistoryApi();
        app.MapTilesApi();
        app.MapDownloadsApi();
        app.MapBulkDownloadsApi();
        app.MapExportsApi();
        app.MapTerritoriesApi();
        app.MapSessionApi();
        app.MapAdminApi();
        app.MapScanOperationsApi();
        app.MapMapsApi();
        app.MapPlatformExportsApi();
        app.MapMetadataApi();
        Ogc.OgcApi.MapOgcApi(app);
        Stac.StacApi.MapStacApi(app);
        Feeds.FeedsApi.MapFeedsApi(app);
        app.MapPagesApi();
        app.MapOpenApi();
        app.MapPrometheusScrapingEndpoint(AdminOnlyPaths.Metrics);
        app.MapOrleansDashboard(AdminOnlyPaths.Dashboard);
        // The API reference page in every environment: operators and integrators read it on the deployed system.
        app.MapScalarApiReference();
        return app;
    }

    internal static RateLimitPartition<string> PerClient(HttpContext context, int perMinute)
    {
        var client = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        return perMinute <= 0
            ? RateLimitPartition.GetNoLimiter(client)
            : RateLimitPartition.GetFixedWindowLimiter(client, _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = perMinute,
                Window = TimeSpan.FromMinutes(1),
                QueueLimit = 0,
            });
    }
}
