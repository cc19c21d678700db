using Pcrs.Grains.Hosting;
using Pcrs.Grains.Hosting.Settings;
using Pcrs.WebFront.Auth;
using Pcrs.WebFront.Health;
using Pcrs.Grains.Hosting.Logging;
using Serilog;
using Serilog.Extensions.Logging;

namespace Pcrs.WebFront.Hosting;

public static class WebFrontHosting
{
    /// <summary>Where the web front listens when neither --urls nor ASPNETCORE_URLS says otherwise.</summary>
    public const string DefaultUrl = "http://127.0.0.1:5080";

    /// <summary>
    /// Logging, the database (external, or embedded when ConnectionStrings:Pcrs is absent, migrated either way),
    /// the co-hosted silo (single node unless an external database or Pcrs:Clustering=AdoNet makes it join the
    /// cluster), the product's services and health checks.
    /// </summary>
    public static async Task AddPcrsBackendAsync(this WebApplicationBuilder builder)
    {
        if (string.IsNullOrWhiteSpace(builder.Configuration[WebHostDefaults.ServerUrlsKey]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        PcrsSettings.Apply(builder.Configuration, WebFrontSettings.Sections);
        // The host's own logger; the static one stays the bootstrap logger (start-up and fatal lines). Freezing the static
        // one instead fails when two hosts start in one process (tests): each Main replaces it, the second freeze throws.
        builder.Services.AddSerilog((services, logger) => logger.ConfigurePcrs(builder.Configuration).ReadFrom.Services(services),
            preserveStaticLogger: true);

        using var startupLogs = new SerilogLoggerFactory(Log.Logger);
        PcrsDatabase database = await PcrsDatabase.OpenAsync(builder.Configuration, startupLogs);

        // Registered before the silo so the database (and an embedded server) outlives the silo's shutdown.
        builder.Services.AddPcrsDatabase(database);
        builder.Services.AddSingleton(await FirstStartAdminToken.EnsureAsync(builder.Configuration, database));
        PcrsClusteringMode defaultMode = PcrsDatabase.IsExternalConfigured(builder.Configuration)
            ? PcrsClusteringMode.AdoNet
            : PcrsClusteringMode.Localhost;
        builder.UseOrleans(silo => silo.UsePcrsSilo(builder.Configuration, database, defaultMode));
        builder.Services.AddPcrsServices(builder.Configuration);
        builder.Services.AddPcrsHealthChecks();
    }
}
