using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Pcrs.Grains.Formats;

namespace Pcrs.Silo.Scan;

/// <summary>Registers the format readers for the scan verb (kept apart so the formats' registration is one line).</summary>
internal static class ScanVerbFormats
{
    public static void Add(IServiceCollection services, IConfiguration configuration)
    {
        services.AddTileReader(configuration);
    }
}
