using Microsoft.Extensions.Configuration;
using Pcrs.Grains.Hosting;
using Pcrs.Grains.Hosting.Postgres;
using Pcrs.Grains.Hosting.Settings;

namespace Pcrs.Hosting.Tests;

/// <summary>The settings read before the host exists stop the start with their configuration key when out of range.</summary>
public sealed class HostingOptionsValidationTests
{
    private static IConfiguration Configuration(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build();

    [Fact]
    public void The_defaults_are_valid()
    {
        var cluster = new PcrsClusterOptions();
        Assert.Same(cluster, HostingOptionsValidation.Validated(cluster, PcrsClusterOptions.Section));
        Assert.Same(cluster.Endpoints, HostingOptionsValidation.Validated(cluster.Endpoints, "Orleans:Endpoints"));
        var database = new EmbeddedPostgresOptions();
        Assert.Same(database, HostingOptionsValidation.Validated(database, EmbeddedPostgresOptions.Section));
    }

    [Fact]
    public void A_bad_cluster_setting_names_its_key()
    {
        var cluster = Configuration(("Orleans:DirectoryCacheSize", "10"), ("Orleans:ClusterId", "")).GetSection(PcrsClusterOptions.Section).Get<PcrsClusterOptions>()!;
        var error = Assert.Throws<InvalidOperationException>(() => HostingOptionsValidation.Validated(cluster, PcrsClusterOptions.Section));
        Assert.Contains("Orleans:DirectoryCacheSize: must be at least 1000.", error.Message, StringComparison.Ordinal);
        Assert.Contains("Orleans:ClusterId:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_port_out_of_range_names_its_key()
    {
        var cluster = Configuration(("Orleans:Endpoints:SiloPort", "70000")).GetSection(PcrsClusterOptions.Section).Get<PcrsClusterOptions>()!;
        var error = Assert.Throws<InvalidOperationException>(() => HostingOptionsValidation.Validated(cluster.Endpoints, "Orleans:Endpoints"));
        Assert.Contains("Orleans:Endpoints:SiloPort:", error.Message, StringComparison.Ordinal);

        var database = Configuration(("Database:Port", "-1")).GetSection(EmbeddedPostgresOptions.Section).Get<EmbeddedPostgresOptions>()!;
        error = Assert.Throws<InvalidOperationException>(() => HostingOptionsValidation.Validated(database, EmbeddedPostgresOptions.Section));
        Assert.Contains("Database:Port:", error.Message, StringComparison.Ordinal);
    }
}
