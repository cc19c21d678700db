using System.Net;
using System.Text;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;
using Pcrs.WebFront.Auth;

namespace Pcrs.WebFront.Tests;

/// <summary>
/// Every route the web front maps, asked by every kind of caller: a route that changes something names who may call it
/// (<see cref="WriteAccessMetadata"/>), and each such route refuses an anonymous caller (401), an unknown token (401) and
/// another project's editor (403), and an admin route refuses the project's own editor (403). The routes are read from
/// the running application, so a route added later is checked without editing this test.
/// </summary>
[Collection(WebFrontCollection.Name)]
public sealed class RouteAccessMatrixTests(WebFrontFixture web) : IClassFixture<WebFrontFixture>
{
    /// <summary>Writes open to anyone ("METHOD pattern" → why). None today: every write needs an editor or admin.</summary>
    private static readonly Dictionary<string, string> AnonymousWrites = new(StringComparer.Ordinal);

    private static readonly string[] WriteMethods = ["POST", "PUT", "PATCH", "DELETE"];

    [Fact]
    public async Task Every_write_route_names_who_may_call_it()
    {
        await web.CreateProjectAsync("Projet des routes");
        var unguarded = Routes()
            .Where(r => r.Access is null && WriteMethods.Contains(r.Method, StringComparer.Ordinal))
            .Select(r => $"{r.Method} {r.Pattern.RawText}")
            .Where(r => !AnonymousWrites.ContainsKey(r))
            .ToList();
        Assert.True(unguarded.Count == 0, "Write routes open to anyone:\n" + string.Join('\n', unguarded));
    }

    [Fact]
    public async Task Guarded_routes_refuse_anonymous_unknown_and_other_projects_callers()
    {
        var owner = await web.CreateProjectAsync("Projet gardé");
        var other = await web.CreateProjectAsync("Autre projet");
        var guarded = Routes().Where(r => r.Access is not null).ToList();
        Assert.Contains(guarded, r => r.Access == "admin" && r.Pattern.RawText!.Contains("/import", StringComparison.Ordinal));
        Assert.Contains(guarded, r => r.Access == "editor" && r.Method == "DELETE" && r.Pattern.RawText!.EndsWith("/storage", StringComparison.Ordinal));

        using var anonymous = web.Client();
        using var unknown = web.Client("a-token-nobody-was-given");
        using var stranger = web.Client(other.EditorKey);
        using var editor = web.Client(owner.EditorKey);
        var wrong = new List<string>();
        foreach (var route in guarded)
        {
            string path = Fill(route.Pattern, owner);
            await Expect(anonymous, route, path, HttpStatusCode.Unauthorized, "anonymous");
            await Expect(unknown, route, path, HttpStatusCode.Unauthorized, "unknown token");
            await Expect(stranger, route, path, HttpStatusCode.Forbidden, "another project's editor");
            if (route.Access == "admin")
                await Expect(editor, route, path, HttpStatusCode.Forbidden, "the project's own editor");
        }
        Assert.True(wrong.Count == 0, $"{wrong.Count} refusals missing or wrong:\n" + string.Join('\n', wrong));

        async Task Expect(HttpClient client, Route route, string path, HttpStatusCode expected, string who)
        {
            using var request = new HttpRequestMessage(new HttpMethod(route.Method), path);
            if (route.Method is "POST" or "PUT" or "PATCH")
                request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
            using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
            if (response.StatusCode != expected)
                wrong.Add($"{route.Method} {route.Pattern.RawText} as {who}: {(int)response.StatusCode}, expected {(int)expected}");
        }
    }

    private IReadOnlyList<Route> Routes()
    {
        var sources = web.Factory.Services.GetRequiredService<IEnumerable<EndpointDataSource>>();
        return sources.SelectMany(s => s.Endpoints).OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? []).Select(m =>
                new Route(m, e.RoutePattern, e.Metadata.GetMetadata<WriteAccessMetadata>()?.Role)))
            .Where(r => r.Method != "HEAD" && r.Method != "OPTIONS")
            .DistinctBy(r => (r.Method, r.Pattern.RawText))
            .ToList();
    }

    /// <summary>A concrete path: the project's id for {id}, its deliverable for a deliverable id, a plain word elsewhere.</summary>
    private static string Fill(RoutePattern pattern, CreatedProject project)
    {
        var path = new StringBuilder();
        foreach (var segment in pattern.PathSegments)
        {
            path.Append('/');
            foreach (var part in segment.Parts)
            {
                path.Append(part switch
                {
                    RoutePatternLiteralPart literal => literal.Content,
                    RoutePatternSeparatorPart separator => separator.Content,
                    RoutePatternParameterPart { Name: "id" } => project.Id.ToString(),
                    RoutePatternParameterPart p when p.Name == "did" || p.Name.Contains("deliverable", StringComparison.OrdinalIgnoreCase) => project.Deliverables[0].ToString(),
                    RoutePatternParameterPart p when p.ParameterPolicies.Any(x => x.Content == "guid") => Guid.NewGuid().ToString(),
                    RoutePatternParameterPart p when p.ParameterPolicies.Any(x => x.Content is "int" or "long") => "1",
                    _ => "x",
                });
            }
        }
        return path.Length == 0 ? "/" : path.ToString();
    }

    private sealed record Route(string Method, RoutePattern Pattern, string? Access);
}
