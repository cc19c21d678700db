using System.ComponentModel.DataAnnotations;
using System.Net;

namespace Pcrs.Grains.Hosting;

/// <summary>How silos find each other.</summary>
public enum PcrsClusteringMode
{
    /// <summary>One silo on this machine (the web front's single-node default). Reminders still live in PostgreSQL.</summary>
    Localhost,

    /// <summary>Membership in PostgreSQL (Orleans ADO.NET provider, invariant "Npgsql"): any number of silos.</summary>
    AdoNet,
}

/// <summary>Cluster settings, configuration section "Orleans" (keys named as Orleans itself names them).</summary>
public sealed class PcrsClusterOptions
{
    public const string Section = "Orleans";

    /// <summary>Silos with the same ClusterId form one cluster. Default "pcrs".</summary>
    [Required(AllowEmptyStrings = false)]
    public string ClusterId { get; set; } = "pcrs";

    /// <summary>Stable across deployments; reminders are keyed by it. Default "pcrs".</summary>
    [Required(AllowEmptyStrings = false)]
    public string ServiceId { get; set; } = "pcrs";

    /// <summary>Optional silo name shown in the membership table; Orleans makes one up otherwise.</summary>
    public string? SiloName { get; set; }

    public EndpointSettings Endpoints { get; set; } = new();

    /// <summary>
    /// Grain locations each silo caches (Orleans' default: 1,000,000). A scan activates one FileGrain per file and calls it
    /// once, so with the default every file of a national scan stayed cached: about 360 bytes each, the live heap growing
    /// by 360 MB over a million files (measured: 47 MB at 22,000 files of a 50,000-file scan and still growing, against a
    /// flat 25.5 MB with 10,000). Storages and directories, the grains called again, fit many times over in the default here.
    /// </summary>
    [Range(1_000, int.MaxValue, ErrorMessage = "must be at least 1000.")]
    public int DirectoryCacheSize { get; set; } = 50_000;

    /// <summary>Smallest reminder period accepted (Orleans default: 1 minute). Tests lower it.</summary>
    public TimeSpan? MinimumReminderPeriod { get; set; }

    /// <summary>
    /// Key of the clustering mode, "Localhost" or "AdoNet" (empty: the host's default, see UsePcrsSilo). It is not
    /// under "Orleans": Orleans reads Orleans:Clustering itself, as a provider section.
    /// </summary>
    public const string ClusteringKey = "Pcrs:Clustering";

    public static PcrsClusteringMode ResolveMode(string? clustering, PcrsClusteringMode defaultMode) => clustering?.Trim().ToLowerInvariant() switch
    {
        null or "" => defaultMode,
        "localhost" or "development" => PcrsClusteringMode.Localhost,
        "adonet" or "postgresql" or "postgres" => PcrsClusteringMode.AdoNet,
        _ => throw new InvalidOperationException(
            $"{ClusteringKey} must be Localhost or AdoNet, not '{clustering}'."),
    };

    public sealed class EndpointSettings
    {
        /// <summary>Silo-to-silo port. Default 11111; give each silo on one machine its own.</summary>
        [Range(0, 65535)]
        public int SiloPort { get; set; } = 11111;

        /// <summary>Client gateway port. Default 30000; 0 disables the gateway.</summary>
        [Range(0, 65535)]
        public int GatewayPort { get; set; } = 30000;

        /// <summary>Address other silos use to reach this one. Default 127.0.0.1 (one machine); set it for a real network.</summary>
        public string? AdvertisedIPAddress { get; set; }

        /// <summary>Listen on every interface instead of only the advertised address.</summary>
        public bool ListenOnAnyHostAddress { get; set; }

        public IPAddress ResolveAdvertisedAddress() =>
            string.IsNullOrWhiteSpace(AdvertisedIPAddress)
                ? IPAddress.Loopback
                : IPAddress.TryParse(AdvertisedIPAddress, out IPAddress? address)
                    ? address
                    : throw new InvalidOperationException(
                        $"Orleans:Endpoints:AdvertisedIPAddress '{AdvertisedIPAddress}' is not an IP address.");
    }
}
