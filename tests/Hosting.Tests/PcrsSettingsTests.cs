using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Pcrs.Grains.Hosting;
using Pcrs.Grains.Hosting.Settings;
using Pcrs.Grains.Storage;

namespace Pcrs.Hosting.Tests;

/// <summary>Settings that would bind to nothing stop the start with their name; list settings take a comma-separated value.</summary>
public sealed class PcrsSettingsTests
{
    private static ConfigurationManager Configuration(params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationManager();
        configuration.AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)));
        return configuration;
    }

    [Fact]
    public void A_comma_separated_value_binds_as_a_list()
    {
        var configuration = Configuration(("Scanning:AllowedNetworks", "127.0.0.0/8, 10.0.0.0/8"));

        PcrsSettings.Apply(configuration);

        var options = configuration.GetSection(StorageAccessOptions.SectionName).Get<StorageAccessOptions>()!;
        Assert.Equal(["127.0.0.0/8", "10.0.0.0/8"], options.AllowedNetworks);
        PcrsSettings.Apply(configuration); // a second check (a host calling twice) sees the numbered form only
    }

    [Fact]
    public void Numbered_values_still_bind()
    {
        var configuration = Configuration(("Scanning:AllowedNetworks:0", "127.0.0.0/8"), ("Scanning:AllowedNetworks:1", "10.0.0.0/8"));

        PcrsSettings.Apply(configuration);

        Assert.Equal(["127.0.0.0/8", "10.0.0.0/8"],
            configuration.GetSection(StorageAccessOptions.SectionName).Get<StorageAccessOptions>()!.AllowedNetworks);
    }

    [Theory]
    [InlineData("Scanning:MaxConnectionPerStorage", "3", "Unknown setting Scanning:MaxConnectionPerStorage (Scanning__MaxConnectionPerStorage): did you mean Scanning:MaxConnectionsPerStorage?")]
    [InlineData("Database:DataDir", "/tmp/x", "did you mean Database:DataDirectory?")]
    [InlineData("Secrets:Zzz", "1", "Unknown setting Secrets:Zzz")]
    [InlineData("Scanning:MaxConnectionsPerStorage:0", "3", "Scanning:MaxConnectionsPerStorage takes one value")]
    [InlineData("Scanning", "oops", "Scanning (Scanning) is a section, not a value")]
    public void A_setting_that_binds_to_nothing_is_named(string key, string value, string expected)
    {
        var error = Assert.Throws<PcrsSettingsException>(() => PcrsSettings.Apply(Configuration((key, value))));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Host_sections_are_checked_with_the_shared_ones()
    {
        var hostSections = new Dictionary<string, Type[]> { ["Auth"] = [typeof(HostAuth)] };

        var error = Assert.Throws<PcrsSettingsException>(() =>
            PcrsSettings.Apply(Configuration(("Auth:AdminTokenHash", "x"), ("Scanning:FileTimeOut", "00:01:00")), hostSections));

        Assert.Contains("did you mean Auth:AdminTokenHashes?", error.Message, StringComparison.Ordinal);
        // Keys are matched without regard to case, as the binder does.
        Assert.DoesNotContain("FileTimeOut", error.Message, StringComparison.Ordinal);
        Assert.Single(error.Problems);
    }

    [Fact]
    public void Single_node_takes_a_free_port_when_the_default_is_busy_and_fails_when_a_set_port_is()
    {
        using var busy = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        // As Orleans binds (SO_REUSEADDR, which .NET maps to SO_REUSEPORT too on Linux): a second such socket could share it.
        busy.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        busy.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        busy.Listen(1);
        int port = ((IPEndPoint)busy.LocalEndPoint!).Port;

        int chosen = OrleansPorts.Resolve(Configuration(), OrleansPorts.SiloPortKey, port, IPAddress.Loopback, mayChooseFree: true);
        Assert.NotEqual(port, chosen);

        var configured = Configuration((OrleansPorts.SiloPortKey, port.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var error = Assert.Throws<PcrsSettingsException>(() =>
            OrleansPorts.Resolve(configured, OrleansPorts.SiloPortKey, port, IPAddress.Loopback, mayChooseFree: true));
        Assert.Contains($"Port {port}", error.Message, StringComparison.Ordinal);
        Assert.Contains("Orleans__Endpoints__SiloPort", error.Message, StringComparison.Ordinal);

        var cluster = Assert.Throws<PcrsSettingsException>(() =>
            OrleansPorts.Resolve(Configuration(), OrleansPorts.GatewayPortKey, port, IPAddress.Loopback, mayChooseFree: false));
        Assert.Contains("Orleans:Endpoints:GatewayPort", cluster.Message, StringComparison.Ordinal);
    }

    private sealed class HostAuth
    {
        public List<string> AdminTokenHashes { get; set; } = [];
    }
}
