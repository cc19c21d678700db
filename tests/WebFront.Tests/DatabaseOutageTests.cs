using System.Net;
using Microsoft.AspNetCore.Hosting;
using Pcrs.TestSupport;
using Pcrs.TestSupport.Hostile;

namespace Pcrs.WebFront.Tests;

/// <summary>The web front reaching its PostgreSQL database through a relay the test cuts and restores.</summary>
public sealed class DatabaseOutageFixture : WebFrontFixture
{
    public TcpRelay Relay { get; } = new(Peers.PostgreSql);

    protected override void Configure(IWebHostBuilder builder)
    {
        builder.UseSetting("ConnectionStrings:Pcrs",
            $"Host={Peers.Host};Port={Relay.Port};Username=postgres;Database={DatabaseName};Pooling=true;Timeout=30;Command Timeout=30");
        // Membership in process: the outage under test is the catalogue's, not the cluster's.
        builder.UseSetting("Pcrs:Clustering", "Localhost");
    }
}

/// <summary>
/// PostgreSQL unreachable (the relay cut: connections refused, pooled ones broken): the public routes and the
/// authenticated ones answer 503 ProblemDetails with Retry-After (not 500), whoever asks, without naming the database's
/// address; once PostgreSQL is back they answer again by themselves.
/// </summary>
[Collection(WebFrontCollection.Name)]
public sealed class DatabaseOutageTests(DatabaseOutageFixture fixture) : IClassFixture<DatabaseOutageFixture>
{
    [Fact]
    public async Task An_unreachable_database_answers_503_with_retry_after_and_recovers_by_itself()
    {
        var project = await fixture.CreateProjectAsync("Outage test");
        var deliverable = project.Deliverables[0];
        using var anonymous = fixture.Client();
        using var editor = fixture.Client(project.EditorKey);
        using var stranger = fixture.Client("not-a-key-of-anyone-0000000000000000");
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/api/projects")).StatusCode);

        fixture.Relay.Cut();
        try
        {
            foreach (var (client, method, path) in new[]
            {
                (anonymous, HttpMethod.Get, "/api/projects"),
                (anonymous, HttpMethod.Get, $"/api/projects/{project.Id}"),
                (anonymous, HttpMethod.Get, $"/api/projects/{project.Id}/deliverables/{deliverable}/scan"),
                (editor, HttpMethod.Post, $"/api/projects/{project.Id}/deliverables/{deliverable}/scan"),
                (stranger, HttpMethod.Post, $"/api/projects/{project.Id}/deliverables/{deliverable}/scan"),
            })
            {
                using var response = await client.SendAsync(new HttpRequestMessage(method, path), TestContext.Current.CancellationToken);
                string body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
                Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{method} {path}: {(int)response.StatusCode} {body}");
                Assert.Equal(TimeSpan.FromSeconds(DatabaseUnavailableExceptionHandler.RetryAfterSeconds), response.Headers.RetryAfter?.Delta);
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                Assert.Contains("\"status\":503", body, StringComparison.Ordinal);
                Assert.DoesNotContain(fixture.Relay.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), body, StringComparison.Ordinal);
                Assert.DoesNotContain("Npgsql", body, StringComparison.Ordinal);
            }

            // /health says which check failed, not only that one did (the cluster check reads the membership table from
            // the same database, so it may fail too). Why it failed names the database's address: administrators only.
            using var admin = fixture.Client(WebFrontFixture.AdminToken);
            string adminSaw = await HealthAsync(admin);
            Assert.StartsWith("Unhealthy\n", adminSaw, StringComparison.Ordinal);
            Assert.Contains("\npostgresql: Unhealthy (PostgreSQL does not answer", adminSaw, StringComparison.Ordinal);
            Assert.DoesNotContain("\nself:", adminSaw, StringComparison.Ordinal);
            foreach (var client in new[] { anonymous, stranger, editor })
            {
                string said = await HealthAsync(client);
                Assert.StartsWith("Unhealthy\n", said, StringComparison.Ordinal);
                Assert.Contains("\npostgresql: Unhealthy\n", said, StringComparison.Ordinal);
                Assert.DoesNotContain("\nself:", said, StringComparison.Ordinal);
                Assert.DoesNotContain("(", said, StringComparison.Ordinal);
                Assert.DoesNotContain(fixture.Relay.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), said, StringComparison.Ordinal);
            }
        }
        finally
        {
            fixture.Relay.Restore();
        }

        // Back by itself: no restart, no call but the requests themselves.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        HttpStatusCode status;
        do
        {
            await Task.Delay(250, TestContext.Current.CancellationToken);
            status = (await anonymous.GetAsync($"/api/projects/{project.Id}", TestContext.Current.CancellationToken)).StatusCode;
        }
        while (status != HttpStatusCode.OK && DateTime.UtcNow < deadline);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/api/projects", TestContext.Current.CancellationToken)).StatusCode);
        // A stranger's key is refused again as before the outage, not let through.
        using var refused = await stranger.PostAsync($"/api/projects/{project.Id}/deliverables/{deliverable}/scan", null, TestContext.Current.CancellationToken);
        Assert.True(refused.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden, $"{(int)refused.StatusCode}");
    }

    /// <summary>/health's plain answer, which must be 503 while the database is cut.</summary>
    private static async Task<string> HealthAsync(HttpClient client)
    {
        using var health = await client.GetAsync("/health", TestContext.Current.CancellationToken);
        string said = await health.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(health.StatusCode == HttpStatusCode.ServiceUnavailable, $"/health: {(int)health.StatusCode} {said}");
        return said;
    }
}
