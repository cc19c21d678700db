using Microsoft.Extensions.Hosting;
using Pcrs.Grains.Hosting;
using Pcrs.Grains.Hosting.Settings;
using Pcrs.Grains.Hosting.Logging;
using Serilog;
using Serilog.Extensions.Logging;

namespace Pcrs.Silo.Verbs;

/// <summary>The worker silo: joins the cluster through the membership table in PostgreSQL and runs until stopped.</summary>
internal static class RunVerb
{
    public static async Task<int> RunAsync(string[] args)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(args);
        PcrsSettings.Apply(builder.Configuration);
        builder.Services.AddSerilog((services, logger) => logger.ConfigurePcrs(builder.Configuration).ReadFrom.Services(services));

        using var startupLogs = new SerilogLoggerFactory(Log.Logger);
        PcrsDatabase database = await PcrsDatabase.OpenAsync(builder.Configuration, startupLogs);
        try
        {
            builder.Services.AddPcrsDatabase(database);
            builder.UseOrleans(silo => silo.UsePcrsSilo(builder.Configuration, database, PcrsClusteringMode.AdoNet));
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
