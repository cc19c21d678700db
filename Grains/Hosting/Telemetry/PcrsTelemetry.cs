using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Pcrs.Grains.Scanning;

namespace Pcrs.Grains.Hosting.Telemetry;

/// <summary>
/// OpenTelemetry for every host: the scanner's meter (Pcrs.Scanning), Orleans' own meter (grain activations, messaging),
/// .NET runtime metrics, and traces. Hosts add their instrumentation and exporters (the web front: HTTP server metrics and
/// traces, the Prometheus scrape endpoint). With OTEL_EXPORTER_OTLP_ENDPOINT set (the standard OpenTelemetry variable),
/// metrics and traces also go out over OTLP, and grain calls are traced (Orleans activity propagation) so one trace
/// follows a request through the silos, the scanning grains' calls tagged with their storage and scan; without it grain
/// calls create no activities (a scan makes several per file).
/// </summary>
public static class PcrsTelemetry
{
    public const string ServiceName = "pcrs";

    /// <summary>Spans of the scanning grains' calls, tagged with their storage and scan (see <c>ScanLogScopeFilter</c>).</summary>
    public const string ScanActivitySource = "Pcrs.Scanning";

    /// <summary>Orleans' meter (activations, messaging, membership).</summary>
    public const string OrleansMeter = "Microsoft.Orleans";

    public static bool OtlpConfigured(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);

    public static IServiceCollection AddPcrsTelemetry(this IServiceCollection services, IConfiguration configuration,
        Action<MeterProviderBuilder>? metrics = null, Action<TracerProviderBuilder>? tracing = null)
    {
        bool otlp = OtlpConfigured(configuration);
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(ServiceName, serviceInstanceId: Environment.MachineName + "/" + Environment.ProcessId))
            .WithMetrics(builder =>
            {
                builder.AddMeter(ScanMetrics.MeterName, OrleansMeter).AddRuntimeInstrumentation();
                metrics?.Invoke(builder);
                if (otlp)
                    builder.AddOtlpExporter();
            })
            .WithTracing(builder =>
            {
                if (otlp)
                    builder.AddSource("Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application", ScanActivitySource);
                tracing?.Invoke(builder);
                if (otlp)
                    builder.AddOtlpExporter();
            });
        return services;
    }
}
