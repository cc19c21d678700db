using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Pcrs.TestSupport;

namespace Pcrs.WebFront.Tests;

/// <summary>The administration routes: administrators only (anonymous 401, an editor key 403), no password in the list.</summary>
[Collection(WebFrontCollection.Name)]
public sealed class AdminApiTests(WebFrontFixture web) : IClassFixture<WebFrontFixture>
{
    [Fact]
    public async Task Storage_list_is_for_administrators_and_shows_no_password()
    {
        var project = await web.CreateProjectAsync("Projet administré");
        using var editor = web.Client(project.EditorKey);
        var d = $"/api/projects/{project.Id}/deliverables/{project.Deliverables[0]}";
        var declare = await editor.PutAsJsonAsync($"{d}/storage", new JsonObject
        {
            ["type"] = "ftp", ["host"] = "127.0.0.1", ["port"] = Peers.VsftpdFtp, ["path"] = "/webfront-tests/admin-absent",
            ["username"] = Peers.User, ["password"] = Peers.Password, ["tls"] = "none", ["publicConnection"] = false, ["downloadAllowed"] = true,
        });
        Assert.Equal(HttpStatusCode.Accepted, declare.StatusCode);

        using var anonymous = web.Client();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/admin/storages")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await editor.GetAsync("/api/admin/storages")).StatusCode);
        using var stranger = web.Client("not-a-known-token");
        Assert.Equal(HttpStatusCode.Unauthorized, (await stranger.GetAsync("/api/admin/storages")).StatusCode);

        using var admin = web.Client(WebFrontFixture.AdminToken);
        var response = await admin.GetAsync("/api/admin/storages");
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain(Peers.Password, body);
        var row = JsonNode.Parse(body)!.AsArray().Single(r => r!["deliverableId"]!.GetValue<Guid>() == project.Deliverables[0])!;
        Assert.Equal("Projet administré", row["projectName"]!.GetValue<string>());
        Assert.Equal("ftp", row["type"]!.GetValue<string>());
        Assert.Equal("/webfront-tests/admin-absent", row["startPath"]!.GetValue<string>());
        Assert.Contains("peer@127.0.0.1", row["location"]!.GetValue<string>());
        Assert.NotNull(row["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Renewing_an_editor_key_is_for_administrators_and_the_old_key_stops_working()
    {
        var project = await web.CreateProjectAsync("Projet à nouvelle clé");
        var route = $"/api/admin/projects/{project.Id}/editor-key";
        using var anonymous = web.Client();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync(route, null)).StatusCode);
        using var editor = web.Client(project.EditorKey);
        Assert.Equal(HttpStatusCode.Forbidden, (await editor.PostAsync(route, null)).StatusCode);

        using var admin = web.Client(WebFrontFixture.AdminToken);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsync($"/api/admin/projects/{Guid.NewGuid()}/editor-key", null)).StatusCode);
        var renewed = await WebFrontFixture.ReadJsonAsync(await admin.PostAsync(route, null));
        var newKey = renewed["editorKey"]!.GetValue<string>();
        Assert.NotEqual(project.EditorKey, newKey);

        Assert.Equal(HttpStatusCode.Unauthorized, (await editor.PutAsJsonAsync($"/api/projects/{project.Id}", WebFrontFixture.SampleProject("Ancienne clé"))).StatusCode);
        using var renewedEditor = web.Client(newKey);
        var session = await WebFrontFixture.ReadJsonAsync(await renewedEditor.GetAsync("/api/session"));
        Assert.Equal("editor", session["role"]!.GetValue<string>());
        Assert.Equal(project.Id, session["projectId"]!.GetValue<Guid>());
        var update = WebFrontFixture.SampleProject("Nouvelle clé");
        update["deliverables"]![0]!["id"] = project.Deliverables[0].ToString();
        Assert.Equal(HttpStatusCode.OK, (await renewedEditor.PutAsJsonAsync($"/api/projects/{project.Id}", update)).StatusCode);
    }

    [Fact]
    public async Task Session_tells_the_role_of_a_token()
    {
        using var anonymous = web.Client();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/session")).StatusCode);
        using var admin = web.Client(WebFrontFixture.AdminToken);
        Assert.Equal("admin", (await WebFrontFixture.ReadJsonAsync(await admin.GetAsync("/api/session")))["role"]!.GetValue<string>());
    }
}
