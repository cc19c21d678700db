using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.Dashboard;
using Pcrs.Grains.Hosting.Logging;
using Pcrs.Grains.Hosting.Settings;
using Pcrs.Grains.Hosting.Telemetry;

namespace Pcrs.Grains.Hosting;

/// <summary>The silo configuration shared by the worker Silo and the web front's co-hosted silo.</summary>
public static class PcrsSiloBuilderExtensions
{
    /// <summary>The ADO.NET provider name Orleans maps to Npgsql.</summary>
    public const string Invariant = "Npgsql";

    /// <summary>
    /// Configures clustering (localhost, or ADO.NET membership on <paramref name="database"/>), ADO.NET reminders on the
    /// same database, identity and endpoints from the "Orleans" section, and the product's services.
    /// </summary>
    /// <param name="defaultMode">Used when Pcrs:Clustering is not set.</param>
    public static ISiloBuilder UsePcrsSilo(
        this ISiloBuilder silo, IConfiguration configuration, PcrsDatabase database, PcrsClusteringMode defaultMode)
    {
        var options = new PcrsClusterOptions();
        configuration.GetSection(PcrsClusterOptions.Section).Bind(options);
        HostingOptionsValidation.Validated(options, PcrsClusterOptions.Section);
        HostingOptionsValidation.Validated(options.Endpoints, PcrsClusterOptions.Section + ":Endpoints");
        PcrsClusteringMode mode = PcrsClusterOptions.ResolveMode(configuration[PcrsClusterOptions.ClusteringKey], defaultMode);
        PcrsClusterOptions.EndpointSettings endpoints = options.Endpoints;

        if (mode == PcrsClusteringMode.Localhost)
        {
            int siloPort = OrleansPorts.Resolve(configuration, OrleansPorts.SiloPortKey, endpoints.SiloPort, IPAddress.Loopback, mayChooseFree: true);
            int gatewayPort = OrleansPorts.Resolve(configuration, OrleansPorts.GatewayPortKey, endpoints.GatewayPort, IPAddress.Loopback, mayChooseFree: true);
            silo.UseLocalhostClustering(siloPort, gatewayPort, null, options.ServiceId, options.ClusterId);
        }
        else
        {
            IPAddress listen = endpoints.ListenOnAnyHostAddress ? IPAddress.Any : endpoints.ResolveAdvertisedAddress();
            OrleansPorts.Resolve(configuration, OrleansPorts.SiloPortKey, endpoints.SiloPort, listen, mayChooseFree: false);
            OrleansPorts.Resolve(configuration, OrleansPorts.GatewayPortKey, endpoints.GatewayPort, listen, mayChooseFree: false);
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = options.ClusterId;
                o.ServiceId = options.ServiceId;
            });
            silo.ConfigureEndpoints(endpoints.ResolveAdvertisedAddress(), endpoints.SiloPort, endpoints.GatewayPort,
                endpoints.ListenOnAnyHostAddress);
            silo.UseAdoNetClustering(o =>
            {
                o.Invariant = Invariant;
                o.ConnectionString = database.ConnectionString;
            });
        }

        silo.UseAdoNetReminderService(o =>
        {
            o.Invariant = Invariant;
            o.ConnectionString = database.ConnectionString;
        });
        if (options.MinimumReminderPeriod is TimeSpan minimum)
        {
            silo.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = minimum);
        }

        if (!string.IsNullOrWhiteSpace(options.SiloName))
        {
            silo.Configure<SiloOptions>(o => o.SiloName = options.SiloName);
        }

        silo.Configure<GrainDirectoryOptions>(o => o.CacheSize = options.DirectoryCacheSize);
        silo.AddIncomingGrainCallFilter<ScanLogScopeFilter>(); // storage and scan on every log line of a scan
        silo.AddDashboard(); // statistics for the Orleans Dashboard (served by the web front behind admin auth)
        if (PcrsTelemetry.OtlpConfigured(configuration))
            silo.AddActivityPropagation(); // grain calls traced, one trace across silos
        silo.Services.AddPcrsTelemetry(configuration);
        silo.Services.AddPcrsDatabase(database);
        silo.Services.AddPcrsServices(configuration);
        return silo;
    }
}
