using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Pcrs.Grains.Storage.Security;

namespace Pcrs.Grains.Storage;

/// <summary>Registers the storage access layer: options from the "Scanning" section, the address guard and the client factory.</summary>
public static class StorageServiceCollectionExtensions
{
    public static IServiceCollection AddStorageAccess(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddOptions<StorageAccessOptions>()
            .Bind(configuration.GetSection(StorageAccessOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        // A typo in the allow-list must stop the host at start, with the entry named, not fail the first scan.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StorageAccessOptions>, AllowedNetworksValidator>());

        services.TryAddSingleton<IAddressGuard>(sp => new AddressGuard(sp.GetRequiredService<IOptions<StorageAccessOptions>>().Value));
        services.TryAddSingleton<IStorageClientFactory, StorageClientFactory>();
        return services;
    }

    private sealed class AllowedNetworksValidator : IValidateOptions<StorageAccessOptions>
    {
        public ValidateOptionsResult Validate(string? name, StorageAccessOptions options)
        {
            var errors = NetworkList.Validate(options.AllowedNetworks);
            return errors.Count == 0
                ? ValidateOptionsResult.Success
                : ValidateOptionsResult.Fail(errors.Select(e => $"Scanning:AllowedNetworks: {e}"));
        }
    }
}
