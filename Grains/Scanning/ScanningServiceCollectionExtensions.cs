using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;
using Pcrs.Grains.Catalogue;
using Pcrs.Grains.Hosting.Secrets;
using Pcrs.Grains.Scanning.Placement;

namespace Pcrs.Grains.Scanning;

/// <summary>Registers the scanning grains' per-silo services: catalogue, client cache, tile writer, secrets adapter.</summary>
public static class ScanningServiceCollectionExtensions
{
    /// <summary>
    /// Adds what the StorageGrain, DirectoryGrain and FileGrain need. The catalogue is PostgreSQL when
    /// <c>ConnectionStrings:Pcrs</c> is set (or an <see cref="NpgsqlDataSource"/> is registered), in memory otherwise.
    /// Register an <see cref="ISecretProtector"/> first to use the shared key ring; the fallback is process-local.
    /// </summary>
    public static IServiceCollection AddPcrsScanning(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<ScanningOptions>()
            .Bind(configuration.GetSection(ScanningOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton<ICatalogue>(sp =>
        {
            var dataSource = sp.GetService<NpgsqlDataSource>();
            if (dataSource is not null)
                return new PostgresCatalogue(dataSource);
            string? connectionString = sp.GetRequiredService<IConfiguration>().GetConnectionString("Pcrs");
            return string.IsNullOrWhiteSpace(connectionString)
                ? new InMemoryCatalogue()
                : new PostgresCatalogue(NpgsqlDataSource.Create(connectionString));
        });
        // Administrators' settings per storage: in the same database as the catalogue (memory when the catalogue is).
        services.TryAddSingleton<IStorageOperationsStore>(sp => sp.GetRequiredService<ICatalogue>() is PostgresCatalogue
            ? new PostgresStorageOperationsStore(sp.GetService<NpgsqlDataSource>()
                ?? NpgsqlDataSource.Create(sp.GetRequiredService<IConfiguration>().GetConnectionString("Pcrs")!))
            : new InMemoryStorageOperationsStore());
        // The read side is the same catalogue: readers see what the grains wrote, through one set of path rules.
        services.TryAddSingleton<ICatalogueReader>(sp => (ICatalogueReader)sp.GetRequiredService<ICatalogue>());
        // The deployment's key ring when hosting registered it (AddPcrsServices); a process-local key otherwise (scan verb).
        services.TryAddSingleton<ISecretProtector, EphemeralSecretProtector>();
        services.TryAddSingleton(ScanTrustOverrides.None);
        services.TryAddSingleton<StorageClientCache>();
        services.TryAddSingleton<DeclarationProver>();
        // The cache learns when the silo stops (its lease watches end then).
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ILifecycleParticipant<ISiloLifecycle>, StorageClientCache>(
            sp => sp.GetRequiredService<StorageClientCache>()));
        services.TryAddSingleton<TileWriter>();
        services.TryAddSingleton<ScanActivity>();
        services.TryAddSingleton<FileFanOut>();
        services.TryAddSingleton<CrawlTurns>();
        // A storage's grains on the storage's silo ([StoragePlacement]); every silo that may place them needs the director.
        services.AddPlacementDirector<StoragePlacementStrategy, StoragePlacementDirector>();
        return services;
    }
}
