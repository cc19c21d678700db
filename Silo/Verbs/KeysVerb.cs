using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Pcrs.Grains.Hosting;
using Pcrs.Grains.Hosting.Secrets;
using Pcrs.Grains.Hosting.Settings;
using Serilog;
using Serilog.Extensions.Logging;

namespace Pcrs.Silo.Verbs;

/// <summary>
/// `Pcrs.Silo keys [list|rotate|retire [--force]]`: the key ring of the stored passwords, while the cluster runs. rotate
/// adds a key and re-encrypts every stored password under it; retire (after a few minutes) revokes the old keys.
/// Exit codes: 0 done, 1 refused (the reason printed), 64 bad usage.
/// </summary>
internal static class KeysVerb
{
    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        string action = args.Length > 0 && !args[0].StartsWith('-') ? args[0].ToLowerInvariant() : "list";
        string[] rest = args.Length > 0 && !args[0].StartsWith('-') ? args[1..] : args;
        bool force = rest.Contains("--force", StringComparer.Ordinal);
        if (action is not ("list" or "rotate" or "retire"))
        {
            Log.Error("Unknown keys action {Action}. Usage: Pcrs.Silo keys [list|rotate|retire [--force]] [--Section:Key=value ...]", action);
            return 64;
        }

        var configuration = new ConfigurationManager();
        configuration.AddJsonFile("appsettings.json", optional: true).AddEnvironmentVariables()
            .AddCommandLine(rest.Where(a => a != "--force").ToArray());
        PcrsSettings.Apply(configuration);
        using var logs = new SerilogLoggerFactory(Log.Logger);
        await using PcrsDatabase database = await PcrsDatabase.OpenAsync(configuration, logs);
        var services = new ServiceCollection().AddLogging(b => b.AddSerilog(Log.Logger)).AddSingleton<IConfiguration>(configuration);
        services.AddSingleton(database.DataSource);
        services.AddPcrsServices(configuration);
        await using var provider = services.BuildServiceProvider();
        // A wrong key file must stop here, before any key is added under it.
        await provider.GetServices<IHostedService>().OfType<KeyRingCheck>().Single().StartAsync(CancellationToken.None);
        var rotation = provider.GetRequiredService<KeyRotation>();
        try
        {
            switch (action)
            {
                case "rotate":
                    var report = await rotation.RotateAsync(CancellationToken.None);
                    output.WriteLine($"rotated: key {report.KeyId} protects new passwords; {report.Reencrypted} re-encrypted, " +
                                     $"{report.AlreadyCurrent} already under it, {report.ChangedMeanwhile} changed meanwhile");
                    break;
                case "retire":
                    var (sweep, retired) = await rotation.RetireAsync(force, CancellationToken.None);
                    output.WriteLine($"retired {retired.Count} keys ({string.Join(", ", retired)}); key {sweep.KeyId} protects every stored password " +
                                     $"({sweep.Reencrypted} re-encrypted now)");
                    break;
            }
        }
        catch (InvalidOperationException ex)
        {
            output.WriteLine("refused: " + ex.Message);
            return 1;
        }
        foreach (var key in await rotation.ListAsync(CancellationToken.None))
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"key {key.KeyId} active {key.Activation:u} expires {key.Expiration:u} {(key.Revoked ? "revoked" : "usable")} passwords {key.Secrets}"));
        }
        return 0;
    }
}
