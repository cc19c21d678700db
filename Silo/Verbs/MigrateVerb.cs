using Microsoft.Extensions.Configuration;
using Pcrs.Grains.Hosting;
using Pcrs.Grains.Hosting.Settings;
using Serilog;
using Serilog.Extensions.Logging;

namespace Pcrs.Silo.Verbs;

/// <summary>Applies the schema migrations (opening the database applies them) and exits: a deployment step.</summary>
internal static class MigrateVerb
{
    public static async Task<int> RunAsync(string[] args)
    {
        var configuration = new ConfigurationManager();
        configuration.AddJsonFile("appsettings.json", optional: true).AddEnvironmentVariables().AddCommandLine(args);
        PcrsSettings.Apply(configuration);
        using var logs = new SerilogLoggerFactory(Log.Logger);
        await using PcrsDatabase database = await PcrsDatabase.OpenAsync(configuration, logs);
        Log.Information("Migrations done; the database schema is current");
        return 0;
    }
}
