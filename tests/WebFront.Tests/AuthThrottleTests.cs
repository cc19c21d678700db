using System.Net;
using Microsoft.AspNetCore.Hosting;

namespace Pcrs.WebFront.Tests;

/// <summary>A web front on a real socket (clients are told apart by address) allowing 5 unknown tokens per client and minute.</summary>
public sealed class AuthThrottleFixture : WebFrontFixture
{
    public const int Limit = 5;

    protected override bool ListenOnSocket => true;

    protected override void Configure(IWebHostBuilder builder) =>
        builder.UseSetting("Auth:FailedAttemptsPerMinute", Limit.ToString(System.Globalization.CultureInfo.InvariantCulture));
}

/// <summary>
/// Unknown bearer tokens are throttled per client: past Auth:FailedAttemptsPerMinute, that client's unknown tokens get
/// 429 with Retry-After (on reading and on write routes) instead of being looked up; the administrator token and an
/// editor key already proven still open their routes from the same address, another address is not affected, and
/// anonymous reading is not touched.
/// </summary>
[Collection(WebFrontCollection.Name)]
public sealed class AuthThrottleTests(AuthThrottleFixture fixture) : IClassFixture<AuthThrottleFixture>
{
    [Fact]
    public async Task Repeated_unknown_tokens_get_429_with_retry_after_and_good_tokens_still_work()
    {
        var project = await fixture.CreateProjectAsync("Throttle test");
        string scan = $"/api/projects/{project.Id}/deliverables/{project.Deliverables[0]}/scan";
        var token = TestContext.Current.CancellationToken;
        using (var editor = fixture.ClientFrom("127.0.0.1", project.EditorKey))
            Assert.Equal(HttpStatusCode.OK, (await editor.GetAsync("/api/session", token)).StatusCode);

        for (int i = 0; i < AuthThrottleFixture.Limit; i++)
        {
            using var guess = fixture.ClientFrom("127.0.0.1", $"guess-{i}-{Guid.NewGuid():N}");
            Assert.Equal(HttpStatusCode.Unauthorized, (await guess.GetAsync("/api/session", token)).StatusCode);
        }

        using var blocked = fixture.ClientFrom("127.0.0.1", "guess-after-the-bound-" + Guid.NewGuid().ToString("N"));
        foreach (var request in new[] { new HttpRequestMessage(HttpMethod.Get, "/api/session"), new HttpRequestMessage(HttpMethod.Post, scan) })
        {
            using var response = await blocked.SendAsync(request, token);
            Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
            Assert.InRange(response.Headers.RetryAfter?.Delta ?? TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60));
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
        // Even the right key of another project is not looked up now: no oracle while blocked.
        var other = await fixture.CreateProjectAsync("Throttle other");
        using (var unproven = fixture.ClientFrom("127.0.0.1", other.EditorKey))
            Assert.Equal(HttpStatusCode.TooManyRequests, (await unproven.GetAsync("/api/session", token)).StatusCode);

        // Good tokens from the same address: the administrator's and the editor key proven before.
        using (var admin = fixture.ClientFrom("127.0.0.1", WebFrontFixture.AdminToken))
            Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/session", token)).StatusCode);
        using (var editor = fixture.ClientFrom("127.0.0.1", project.EditorKey))
        {
            Assert.Equal(HttpStatusCode.OK, (await editor.GetAsync("/api/session", token)).StatusCode);
            using var write = await editor.PostAsync(scan, null, token);
            Assert.True(write.StatusCode is not (HttpStatusCode.TooManyRequests or HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden),
                $"the editor's own write route: {(int)write.StatusCode}");
        }
        // Anonymous reading from the same address is not throttled by this bound.
        using (var anonymous = fixture.ClientFrom("127.0.0.1", null))
            Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/api/projects", token)).StatusCode);
        // Another client is not affected: its unknown token is a plain 401, its editor key opens its project.
        using (var elsewhere = fixture.ClientFrom("127.0.0.2", "guess-elsewhere"))
            Assert.Equal(HttpStatusCode.Unauthorized, (await elsewhere.GetAsync("/api/session", token)).StatusCode);
        using (var otherEditor = fixture.ClientFrom("127.0.0.2", other.EditorKey))
            Assert.Equal(HttpStatusCode.OK, (await otherEditor.GetAsync("/api/session", token)).StatusCode);
    }
}
