using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Pcrs.WebFront.Tests;

/// <summary>Every write route refuses anonymous callers (401) and callers holding another project's key (403).</summary>
[Collection(WebFrontCollection.Name)]
public sealed class AuthTests(WebFrontFixture web) : IClassFixture<WebFrontFixture>
{
    private static readonly JsonObject FtpStorage = new()
    {
        ["type"] = "ftp", ["host"] = "127.0.0.1", ["port"] = 2121, ["path"] = "/", ["username"] = "peer", ["password"] = "peerpass",
        ["tls"] = "none", ["publicConnection"] = false, ["downloadAllowed"] = true,
    };

    private static IEnumerable<(HttpMethod Method, string Url, JsonNode? Body)> WriteRoutes(CreatedProject p)
    {
        var d = $"/api/projects/{p.Id}/deliverables/{p.Deliverables[0]}";
        yield return (HttpMethod.Put, $"/api/projects/{p.Id}", WebFrontFixture.SampleProject("Projet écrit"));
        yield return (HttpMethod.Delete, $"/api/projects/{p.Id}", null);
        yield return (HttpMethod.Put, $"{d}/storage", FtpStorage.DeepClone());
        yield return (HttpMethod.Delete, $"{d}/storage", null);
        yield return (HttpMethod.Post, $"{d}/scan", null);
    }

    private static HttpRequestMessage Request(HttpMethod method, string url, JsonNode? body) =>
        new(method, url) { Content = body is null ? null : JsonContent.Create(body) };

    [Fact]
    public async Task Anonymous_writes_get_401()
    {
        var project = await web.CreateProjectAsync("Projet anonyme");
        using var anonymous = web.Client();
        var create = await anonymous.PostAsJsonAsync("/api/projects", WebFrontFixture.SampleProject());
        Assert.Equal(HttpStatusCode.Unauthorized, create.StatusCode);
        Assert.Contains("Bearer", create.Headers.WwwAuthenticate.ToString());
        foreach (var (method, url, body) in WriteRoutes(project))
        {
            var response = await anonymous.SendAsync(Request(method, url, body));
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{method} {url} gave {(int)response.StatusCode}");
        }
    }

    [Fact]
    public async Task Unknown_tokens_get_401()
    {
        var project = await web.CreateProjectAsync("Projet jeton inconnu");
        using var stranger = web.Client("not-a-known-token");
        foreach (var (method, url, body) in WriteRoutes(project))
        {
            var response = await stranger.SendAsync(Request(method, url, body));
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{method} {url} gave {(int)response.StatusCode}");
        }
    }

    [Fact]
    public async Task Another_projects_key_gets_403()
    {
        var target = await web.CreateProjectAsync("Projet cible");
        var other = await web.CreateProjectAsync("Projet voisin");
        using var neighbour = web.Client(other.EditorKey);
        var create = await neighbour.PostAsJsonAsync("/api/projects", WebFrontFixture.SampleProject());
        Assert.Equal(HttpStatusCode.Forbidden, create.StatusCode);
        foreach (var (method, url, body) in WriteRoutes(target))
        {
            var response = await neighbour.SendAsync(Request(method, url, body));
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{method} {url} gave {(int)response.StatusCode}");
        }
        // The target is untouched.
        using var anonymous = web.Client();
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync($"/api/projects/{target.Id}")).StatusCode);
    }

    [Fact]
    public async Task An_editor_cannot_delete_its_own_project()
    {
        var project = await web.CreateProjectAsync("Projet éditeur");
        using var editor = web.Client(project.EditorKey);
        Assert.Equal(HttpStatusCode.Forbidden, (await editor.DeleteAsync($"/api/projects/{project.Id}")).StatusCode);
    }
}
