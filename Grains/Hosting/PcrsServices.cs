using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.Internal;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Pcrs.Grains.Catalogue;
using Pcrs.Grains.Formats;
using Pcrs.Grains.Hosting.Postgres;
using Pcrs.Grains.Hosting.Secrets;
using Pcrs.Grains.Scanning;
using Pcrs.Grains.Storage;

namespace Pcrs.Grains.Hosting;

/// <summary>
/// The one place where the product's services are registered, for every host (Silo, WebFront, tests).
/// Each area adds its own lines in <see cref="AddPcrsServices"/>; keep one registration per line so merges stay easy.
/// </summary>
public static class PcrsServices
{
    /// <summary>All processes of a deployment share this name so they share Data Protection keys.</summary>
    public const string DataProtectionApplicationName = "pcrs";

    public static IServiceCollection AddPcrsServices(this IServiceCollection services, IConfiguration configuration)
    {
        // Hosts may call this more than once (the web front, then its co-hosted silo): register once.
        if (services.Any(d => d.ServiceType == typeof(PcrsServicesMarker)))
        {
            return services;
        }

        services.AddSingleton<PcrsServicesMarker>();

        // Database: the pool of the PcrsDatabase opened at start-up, or (tests) of ConnectionStrings:Pcrs.
        services.TryAddSingleton(sp => sp.GetService<PcrsDatabase>()?.DataSource ?? NpgsqlDataSource.Create(
            configuration.GetConnectionString(PcrsDatabase.ConnectionStringName) ??
            throw new InvalidOperationException("No PcrsDatabase registered and no ConnectionStrings:Pcrs configured.")));

        // Secrets at rest: Data Protection with its key ring in PostgreSQL (migration 0002), each key encrypted with a
        // key-encryption key kept in a file outside the database, so a database dump alone reveals no password.
        services.AddDataProtection().SetApplicationName(DataProtectionApplicationName);
        services.TryAddSingleton(_ => KeyEncryptionKey.LoadOrCreate(ResolveKeyFile(configuration)));
        services.AddOptions<KeyManagementOptions>()
            .Configure<NpgsqlDataSource, KeyEncryptionKey>((o, dataSource, key) =>
            {
                o.XmlRepository = new PostgresXmlRepository(dataSource);
                o.XmlEncryptor = new KeyRingXmlEncryptor(key);
            });
        // Its key manager reads the ring again every few minutes and on a secret under an unknown key, so a key rotated by
        // an operator (KeyRotation, `Pcrs.Silo keys rotate`) reaches every running process without a restart.
        services.AddSingleton(sp => new RefreshingKeyManager(new XmlKeyManager(sp.GetRequiredService<IOptions<KeyManagementOptions>>(),
            sp.GetRequiredService<IActivator>(), sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance)));
        services.Replace(ServiceDescriptor.Singleton<IKeyManager>(sp => sp.GetRequiredService<RefreshingKeyManager>()));
        services.AddHostedService<KeyRingCheck>();
        services.TryAddSingleton<ISecretProtector, DataProtectionSecretProtector>();
        services.TryAddSingleton(sp => new StoredSecrets(sp.GetRequiredService<NpgsqlDataSource>()));
        services.TryAddSingleton<KeyRotation>();

        // ---- areas add their registrations below this line ----
        services.AddStorageAccess(configuration);
        services.AddPcrsScanning(configuration);
        services.AddTileReader(configuration);

        return services;
    }

    /// <summary>
    /// Registers an opened database so it is disposed (stopping an embedded server) with the host. Call before
    /// UseOrleans so the database outlives the silo's shutdown.
    /// </summary>
    public static IServiceCollection AddPcrsDatabase(this IServiceCollection services, PcrsDatabase database)
    {
        if (services.Any(d => d.ServiceType == typeof(PcrsDatabase)))
        {
            return services;
        }

        // A factory registration (not an instance) makes the container own and dispose it.
        services.AddSingleton(_ => database);
        services.AddHostedService<PcrsDatabaseLifetime>();
        return services;
    }

    private static string ResolveKeyFile(IConfiguration configuration)
    {
        var secrets = configuration.GetSection(SecretsOptions.Section).Get<SecretsOptions>() ?? new SecretsOptions();
        var database = configuration.GetSection(EmbeddedPostgresOptions.Section).Get<EmbeddedPostgresOptions>() ?? new EmbeddedPostgresOptions();
        return secrets.ResolveKeyFile(database);
    }

    private sealed class PcrsServicesMarker;

    /// <summary>Resolves the database at start so the container tracks it, and disposes it after every service stopped.</summary>
    private sealed class PcrsDatabaseLifetime(PcrsDatabase database) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            GC.KeepAlive(database);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
