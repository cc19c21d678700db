using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Pcrs.Grains.Storage;
using Pcrs.Grains.Storage.Security;

namespace Pcrs.Storage.Tests.Security;

public sealed class AddressGuardTests
{
    private static AddressGuard Guard(params string[] allowed) => new(new StorageAccessOptions { AllowedNetworks = [.. allowed] });

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.255.255.254")]
    [InlineData("::1")]
    [InlineData("10.0.0.1")]
    [InlineData("10.255.255.255")]
    [InlineData("172.16.0.1")]
    [InlineData("172.31.255.255")]
    [InlineData("192.168.1.1")]
    [InlineData("100.64.0.1")]
    [InlineData("100.127.255.255")]
    [InlineData("169.254.169.254")]
    [InlineData("169.254.0.1")]
    [InlineData("0.0.0.0")]
    [InlineData("0.1.2.3")]
    [InlineData("::")]
    [InlineData("255.255.255.255")]
    [InlineData("224.0.0.1")]
    [InlineData("239.255.255.250")]
    [InlineData("240.0.0.1")]
    [InlineData("ff02::1")]
    [InlineData("fe80::1")]
    [InlineData("fe80::1%2")]
    [InlineData("febf:ffff::1")]
    [InlineData("fc00::1")]
    [InlineData("fd00:ec2::254")]
    [InlineData("fec0::1")]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("::ffff:7f00:1")]
    [InlineData("::ffff:169.254.169.254")]
    [InlineData("::ffff:10.1.2.3")]
    [InlineData("::ffff:192.168.0.1")]
    [InlineData("::127.0.0.1")]
    [InlineData("64:ff9b::a9fe:a9fe")]
    [InlineData("2002:7f00:1::")]
    [InlineData("2001:0:4136:e378:8000:63bf:3fff:fdd2")]
    [InlineData("192.0.2.10")]
    [InlineData("198.18.0.1")]
    public void Refuses_special_addresses(string text)
    {
        var address = IPAddress.Parse(text);
        var error = Assert.Throws<StorageException>(() => Guard().EnsureAllowed(address));
        Assert.Equal(StorageErrorKind.AddressRefused, error.Kind);
        Assert.Contains("AllowedNetworks", error.Message);
        Assert.False(Guard().IsAllowed(address));
    }

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("1.1.1.1")]
    [InlineData("172.15.255.255")]
    [InlineData("172.32.0.1")]
    [InlineData("100.63.255.255")]
    [InlineData("100.128.0.1")]
    [InlineData("169.253.255.255")]
    [InlineData("192.169.0.1")]
    [InlineData("2a00:1450:4007:80e::200e")]
    [InlineData("::ffff:8.8.8.8")]
    [InlineData("64:ff9b::808:808")]
    [InlineData("2002:808:808::1")]
    public void Allows_public_addresses(string text)
    {
        Guard().EnsureAllowed(IPAddress.Parse(text));
        Assert.True(Guard().IsAllowed(IPAddress.Parse(text)));
    }

    [Theory]
    [InlineData("0x7f.1")]
    [InlineData("0x7f000001")]
    [InlineData("2130706433")]
    [InlineData("0177.0.0.1")]
    [InlineData("127.1")]
    [InlineData("0251.0376.0251.0376")]
    [InlineData("0xa9fea9fe")]
    [InlineData("2852039166")]
    [InlineData("[::ffff:169.254.169.254]")]
    [InlineData("[::ffff:a9fe:a9fe]")]
    public async Task Odd_literal_forms_are_parsed_then_refused(string host)
    {
        var error = await Assert.ThrowsAsync<StorageException>(async () => await Guard().ResolveAsync(host, TestContext.Current.CancellationToken));
        Assert.Equal(StorageErrorKind.AddressRefused, error.Kind);
    }

    [Fact]
    public async Task Host_name_resolving_to_loopback_is_refused_by_default()
    {
        var error = await Assert.ThrowsAsync<StorageException>(async () => await Guard().ResolveAsync("localhost", TestContext.Current.CancellationToken));
        Assert.Equal(StorageErrorKind.AddressRefused, error.Kind);
        Assert.Contains("localhost", error.Message);
    }

    [Fact]
    public async Task Allow_list_lets_loopback_through()
    {
        var addresses = await Guard("127.0.0.0/8", "::1/128").ResolveAsync("localhost", TestContext.Current.CancellationToken);
        Assert.NotEmpty(addresses);
        Assert.All(addresses, a => Assert.True(IPAddress.IsLoopback(a)));
    }

    [Fact]
    public void Allow_list_covers_mapped_forms_of_an_allowed_ipv4_network()
    {
        var guard = Guard("127.0.0.0/8");
        guard.EnsureAllowed(IPAddress.Parse("::ffff:127.0.0.1"));
        guard.EnsureAllowed(IPAddress.Parse("127.9.9.9"));
        Assert.Throws<StorageException>(() => guard.EnsureAllowed(IPAddress.Parse("::1")));
        Assert.Throws<StorageException>(() => guard.EnsureAllowed(IPAddress.Parse("10.0.0.1")));
    }

    [Fact]
    public async Task A_name_with_one_private_address_among_public_ones_is_refused()
    {
        var guard = new AddressGuard(new StorageAccessOptions(),
            (_, _) => Task.FromResult(new[] { IPAddress.Parse("8.8.8.8"), IPAddress.Parse("10.0.0.5") }));
        var error = await Assert.ThrowsAsync<StorageException>(async () => await guard.ResolveAsync("rebind.example", TestContext.Current.CancellationToken));
        Assert.Equal(StorageErrorKind.AddressRefused, error.Kind);
        Assert.Contains("10.0.0.5", error.Message);
    }

    [Fact]
    public async Task A_name_that_resolves_to_nothing_fails_clearly()
    {
        var guard = new AddressGuard(new StorageAccessOptions(), (_, _) => Task.FromResult(Array.Empty<IPAddress>()));
        var error = await Assert.ThrowsAsync<StorageException>(async () => await guard.ResolveAsync("nothing.example", TestContext.Current.CancellationToken));
        Assert.Contains("no address", error.Message);
    }

    [Theory]
    [InlineData("127.0.0.1/8", "bits set after the /8")]
    [InlineData("127.0.0.0/33", "prefix length")]
    [InlineData("fd00::/129", "prefix length")]
    [InlineData("localhost/8", "not an IP address")]
    [InlineData("", "empty")]
    [InlineData("10.0.0.0/x", "prefix length")]
    public void Bad_cidr_entries_give_clear_errors(string entry, string expected)
    {
        var error = Assert.Throws<StorageException>(() => Guard(entry));
        Assert.Equal(StorageErrorKind.Invalid, error.Kind);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Cidr_list_parses_hosts_and_ranges()
    {
        var list = NetworkList.Parse(["10.1.2.3", "fd00::/8", " 192.168.0.0/16 "]);
        Assert.True(list.Contains(IPAddress.Parse("10.1.2.3")));
        Assert.False(list.Contains(IPAddress.Parse("10.1.2.4")));
        Assert.True(list.Contains(IPAddress.Parse("fd12::1")));
        Assert.True(list.Contains(IPAddress.Parse("192.168.200.1")));
    }

    [Fact]
    public void Service_registration_rejects_a_bad_allow_list_at_start()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Scanning:AllowedNetworks:0"] = "127.0.0.1/8",
        }).Build();
        using var provider = new ServiceCollection().AddStorageAccess(configuration).BuildServiceProvider();
        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<StorageAccessOptions>>().Value);
        Assert.Contains("127.0.0.1/8", error.Message);
    }

    [Fact]
    public void Service_registration_binds_the_scanning_section()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Scanning:AllowedNetworks:0"] = "127.0.0.0/8",
            ["Scanning:MaxConnectionsPerStorage"] = "2",
        }).Build();
        using var provider = new ServiceCollection().AddStorageAccess(configuration).BuildServiceProvider();
        Assert.Equal(2, provider.GetRequiredService<IOptions<StorageAccessOptions>>().Value.MaxConnectionsPerStorage);
        provider.GetRequiredService<IAddressGuard>().EnsureAllowed(IPAddress.Loopback);
        Assert.IsType<StorageClientFactory>(provider.GetRequiredService<IStorageClientFactory>());
    }

    [Fact]
    public void Service_registration_rejects_out_of_range_values()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Scanning:MaxConnectionsPerStorage"] = "0",
        }).Build();
        using var provider = new ServiceCollection().AddStorageAccess(configuration).BuildServiceProvider();
        Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<StorageAccessOptions>>().Value);
    }
}
