using Pcrs.Grains.Hosting.Settings;
using Pcrs.Grains.Hosting;
using Pcrs.Grains.Hosting.Logging;
using Pcrs.Grains.Hosting.Postgres;
using Pcrs.WebFront;
using Pcrs.WebFront.Health;
using Pcrs.WebFront.Hosting;
using Serilog;

// The whole system on one node by default: web front + co-hosted silo + (embedded) PostgreSQL.
Log.Logger = PcrsLogging.CreateBootstrapLogger();
try
{
    WebApplicationBuilder builder = WebApplication.CreateBuilder(new WebApplicationOptions
    {
        Args = args,
        ContentRootPath = WebFrontContentRoot.Choose(args, AppContext.BaseDirectory),
    });
    await builder.AddPcrsBackendAsync();
    builder.Services.AddWebFront(builder.Configuration);

    WebApplication app = builder.Build();
    // Through the host's logger (its configured levels), not the static bootstrap one.
    app.UseSerilogRequestLogging(options => options.Logger = app.Services.GetRequiredService<Serilog.ILogger>());
    app.UseWebFront();
    app.MapPcrsHealth();
    app.MapWebFront();

    await app.RunAsync();
    return 0;
}
catch (PcrsSettingsException ex)
{
    // Settings that would bind to nothing: each named on its own line, no stack trace.
    Log.Fatal("{Problem}", ex.Message);
    return 2;
}
catch (EmbeddedPostgresException ex)
{
    // A set-up problem with a plain remedy (e.g. PostgreSQL not installed): one line, no stack trace.
    Log.Fatal("{Problem}", ex.Message);
    await PcrsDatabase.DisposeAllOpenAsync();
    return 2;
}
catch (Exception ex) when (ex is not HostAbortedException)
{
    Log.Fatal(ex, "WebFront terminated unexpectedly");
    // Not for HostAbortedException: then a test host owns the database and keeps using it.
    await PcrsDatabase.DisposeAllOpenAsync();
    return 1;
}
finally
{
    await Log.CloseAndFlushAsync();
}

public partial class Program;
