using Microsoft.Extensions.Configuration;
using Serilog;
using Serilog.Events;

namespace Pcrs.Grains.Hosting.Logging;

/// <summary>Serilog settings shared by the Silo and the WebFront (two-stage: bootstrap logger, then the final one).</summary>
public static class PcrsLogging
{
    private const string ConsoleTemplate =
        "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext}: {Message:lj}{Context}{NewLine}{Exception}";

    /// <summary>Logs start-up and fatal errors until the host's configuration is read.</summary>
    public static Serilog.ILogger CreateBootstrapLogger() =>
        new LoggerConfiguration()
            .MinimumLevel.Information()
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
            .Enrich.With<SecretMaskingEnricher>()
            .Filter.With<ImpossibleStallFilter>()
            .Enrich.With<LogContextSuffix>()
            .WriteTo.Console(outputTemplate: ConsoleTemplate, formatProvider: System.Globalization.CultureInfo.InvariantCulture)
            .CreateBootstrapLogger();

    /// <summary>
    /// The final logger: Information by default, chatty libraries (Polly per placement, Orleans, Npgsql) at Warning,
    /// secrets masked, console output. A "Serilog" configuration section can override levels.
    /// </summary>
    public static LoggerConfiguration ConfigurePcrs(this LoggerConfiguration logger, IConfiguration configuration) =>
        logger
            .MinimumLevel.Information()
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft.Hosting.Lifetime", LogEventLevel.Information)
            .MinimumLevel.Override("Orleans", LogEventLevel.Warning)
            .MinimumLevel.Override("Polly", LogEventLevel.Warning)
            .MinimumLevel.Override("Npgsql", LogEventLevel.Warning)
            .ReadFrom.Configuration(configuration)
            .Enrich.FromLogContext()
            .Enrich.With<SecretMaskingEnricher>()
            .Filter.With<ImpossibleStallFilter>()
            .Enrich.With<LogContextSuffix>() // scan scope and trace id at the end of the line
            .WriteTo.Console(outputTemplate: ConsoleTemplate, formatProvider: System.Globalization.CultureInfo.InvariantCulture);
}
