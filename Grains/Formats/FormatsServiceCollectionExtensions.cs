using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Pcrs.Grains.Formats;

/// <summary>Registers the tile reader with its options bound to the "Scanning" configuration section.</summary>
public static class FormatsServiceCollectionExtensions
{
    public static IServiceCollection AddTileReader(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<TileReaderOptions>()
            .Bind(configuration.GetSection(TileReaderOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton<ITileReader, TileReader>();
        return services;
    }
}
