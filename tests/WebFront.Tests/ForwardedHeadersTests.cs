using System.ComponentModel.DataAnnotations;
using System.Net;
using Microsoft.AspNetCore.Hosting;

namespace Pcrs.WebFront.Tests;

/// <summary>
/// A web front behind a reverse proxy at 127.0.0.2 (WebFront:TrustedProxies), on a real socket, allowing 3 unknown
/// tokens per client and minute.
/// </summary>
public sealed class ForwardedHeadersFixture : WebFrontFixture
{
    public const int Limit = 3;
    public const string Proxy = "127.0.0.2";

    protected override bool ListenOnSocket => true;

    protected override void Configure(IWebHostBuilder builder)
    {
        builder.UseSetting("Auth:FailedAttemptsPerMinute", Limit.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("WebFront:TrustedProxies", Proxy);
    }
}

/// <summary>
/// X-Forwarded-For is believed from the trusted proxy only: behind it, each client is throttled on its own address; a
/// client that connects directly cannot choose its address by sending the header.
/// </summary>
[Collection(WebFrontCollection.Name)]
public sealed class ForwardedHeadersTests(ForwardedHeadersFixture fixture) : IClassFixture<ForwardedHeadersFixture>
{
    [Fact]
    public async Task The_trusted_proxy_tells_clients_apart_and_nobody_else_can_pick_an_address()
    {
        var token = TestContext.Current.CancellationToken;

        // Through the proxy: one client exhausts its own bound; the next client behind the same proxy does not share it.
        for (int i = 0; i < ForwardedHeadersFixture.Limit; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, await SessionAsync(ForwardedHeadersFixture.Proxy, "203.0.113.7", token));
        Assert.Equal(HttpStatusCode.TooManyRequests, await SessionAsync(ForwardedHeadersFixture.Proxy, "203.0.113.7", token));
        Assert.Equal(HttpStatusCode.Unauthorized, await SessionAsync(ForwardedHeadersFixture.Proxy, "203.0.113.8", token));
        // A chain of hops: the proxy appends the address it saw; the client's own claim before it is not believed.
        Assert.Equal(HttpStatusCode.TooManyRequests, await SessionAsync(ForwardedHeadersFixture.Proxy, "198.51.100.1, 203.0.113.7", token));

        // Direct, from an address that is not the proxy: a new forwarded address on every request changes nothing.
        for (int i = 0; i < ForwardedHeadersFixture.Limit; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, await SessionAsync("127.0.0.3", $"198.51.100.{10 + i}", token));
        Assert.Equal(HttpStatusCode.TooManyRequests, await SessionAsync("127.0.0.3", "198.51.100.99", token));
    }

    [Theory]
    [InlineData("10.0.0.5", true)]
    [InlineData("10.0.0.0/8", true)]
    [InlineData("fd00::/8", true)]
    [InlineData("proxy.example", false)]
    [InlineData("10.0.0.0/33", false)]
    public void A_proxy_is_an_address_or_a_network_and_anything_else_is_refused_by_name(string proxy, bool valid)
    {
        var options = new WebFrontOptions { TrustedProxies = ["127.0.0.1", proxy] };
        var results = new List<ValidationResult>();
        Assert.Equal(valid, Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true));
        if (!valid)
        {
            var error = Assert.Single(results);
            Assert.Equal([nameof(WebFrontOptions.TrustedProxies)], error.MemberNames);
            Assert.Contains(proxy, error.ErrorMessage, StringComparison.Ordinal);
        }
    }

    private async Task<HttpStatusCode> SessionAsync(string from, string forwardedFor, CancellationToken token)
    {
        using var client = fixture.ClientFrom(from, $"guess-{Guid.NewGuid():N}");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/session");
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        using var response = await client.SendAsync(request, token);
        return response.StatusCode;
    }
}
