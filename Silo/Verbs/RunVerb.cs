using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;
using Pcrs.Grains.Hosting;
using Pcrs.Grains.Hosting.Settings;
using Pcrs.Grains.Hosting.Logging;
using Serilog;
using Serilog.Extensions.Logging;

namespace Pcrs.Silo.Verbs;

/// <summary>The worker silo: joins the cluster through the membership table in PostgreSQL and runs until stopped.</summary>
internal static class RunVerb
{
    /// <summary>Port on which a worker silo serves its Prometheus metrics at /metrics; none by default.</summary>
    public const string PrometheusPortKey = "Pcrs:PrometheusPort";

    /// <summary>Address of that listener; default 127.0.0.1 (it has no authentication).</summary>
    public const string PrometheusHostKey = "Pcrs:PrometheusHost";

    public static async Task<int> RunAsync(string[] args)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(args);
        PcrsSettings.Apply(builder.Configuration);
        // The host's own logger; the static one stays the bootstrap logger (start-up and fatal lines). Freezing the static
        // one instead fails when two hosts start in one process (tests): each Main replaces it, the second freeze throws.
        builder.Services.AddSerilog((services, logger) => logger.ConfigurePcrs(builder.Configuration).ReadFrom.Services(services),
            preserveStaticLogger: true);

        using var startupLogs = new SerilogLoggerFactory(Log.Logger);
        PcrsDatabase database = await PcrsDatabase.OpenAsync(builder.Configuration, startupLogs);
        try
        {
            builder.Services.AddPcrsDatabase(database);
            builder.UseOrleans(silo => silo.UsePcrsSilo(builder.Configuration, database, PcrsClusteringMode.AdoNet));
            // A worker has no web server: its metrics are scraped on a port of its own when one is configured. No
            // authentication there, so bind it to loopback or a private interface (Pcrs__PrometheusPort=9464).
            if (builder.Configuration.GetValue<int?>(PrometheusPortKey) is int prometheusPort and > 0)
                builder.Services.ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddPrometheusHttpListener(o =>
                {
                    o.Host = builder.Configuration[PrometheusHostKey] is { Length: > 0 } host ? host : "127.0.0.1";
                    o.Port = prometheusPort;
                }));
            using IHost host = builder.Build();
            await host.RunAsync();
            return 0;
        }
        finally
        {
            // Normally already disposed with the host; this covers a failure before the host owned it.
            await database.DisposeAsync();
        }
    }
}
