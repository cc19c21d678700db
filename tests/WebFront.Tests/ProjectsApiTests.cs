using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Pcrs.WebFront.Tests;

[Collection(WebFrontCollection.Name)]
public sealed class ProjectsApiTests(WebFrontFixture web) : IClassFixture<WebFrontFixture>
{
    [Fact]
    public async Task Created_project_reads_back_with_current_status_and_server_ids()
    {
        var created = await web.CreateProjectAsync("Projet lecture", deliverables: 2);
        Assert.Equal(2, created.Deliverables.Length);
        Assert.Equal(43, created.EditorKey.Length);

        using var anonymous = web.Client();
        var json = await WebFrontFixture.ReadJsonAsync(await anonymous.GetAsync($"/api/projects/{created.Id}"));
        Assert.Equal("Projet lecture", json["name"]!.GetValue<string>());
        Assert.Equal("disponible", json["currentStatus"]!.GetValue<string>());
        Assert.Equal(created.Deliverables[0], json["deliverables"]![0]!["id"]!.GetValue<Guid>());
        Assert.Equal("2019-06-01", json["steps"]![1]!["startDate"]!.GetValue<string>());
        Assert.Null(json["deliverables"]![0]!["storage"]);
        Assert.DoesNotContain("editorKey", json.ToJsonString(), StringComparison.OrdinalIgnoreCase);

        var list = (await WebFrontFixture.ReadJsonAsync(await anonymous.GetAsync("/api/projects"))).AsArray();
        var item = list.Single(p => p!["id"]!.GetValue<Guid>() == created.Id)!;
        Assert.Equal("disponible", item["currentStatus"]!.GetValue<string>());
        Assert.Equal(2, item["deliverables"]!.GetValue<int>());
    }

    [Fact]
    public async Task Full_update_keeps_given_ids_adds_new_ones_and_removes_missing()
    {
        var created = await web.CreateProjectAsync("Projet mise à jour", deliverables: 2);
        var body = WebFrontFixture.SampleProject("Projet mis à jour", deliverables: 2);
        body["deliverables"]![0]!["id"] = created.Deliverables[1].ToString();
        body["deliverables"]![1]!["id"] = null;
        body["steps"]!.AsArray().Add(new JsonObject { ["status"] = "obsolete", ["startDate"] = "2999-01-01" });

        using var editor = web.Client(created.EditorKey);
        var response = await editor.PutAsJsonAsync($"/api/projects/{created.Id}", body);
        var json = await WebFrontFixture.ReadJsonAsync(response);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var ids = json["deliverables"]!.AsArray().Select(d => d!["id"]!.GetValue<Guid>()).ToArray();
        Assert.Equal(created.Deliverables[1], ids[0]);
        Assert.DoesNotContain(created.Deliverables[0], ids);
        Assert.NotEqual(Guid.Empty, ids[1]);
        // A step in the future is not the current status yet.
        Assert.Equal("disponible", json["currentStatus"]!.GetValue<string>());
        Assert.Equal("Projet mis à jour", json["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Update_with_a_foreign_deliverable_id_names_the_field()
    {
        var a = await web.CreateProjectAsync("Projet A ids");
        var b = await web.CreateProjectAsync("Projet B ids");
        var body = WebFrontFixture.SampleProject("Projet A ids");
        body["deliverables"]![0]!["id"] = b.Deliverables[0].ToString();
        using var admin = web.Client(WebFrontFixture.AdminToken);
        var response = await admin.PutAsJsonAsync($"/api/projects/{a.Id}", body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await WebFrontFixture.ReadJsonAsync(response);
        Assert.NotNull(problem["errors"]!["deliverables[0].id"]);
    }

    [Fact]
    public async Task Deleted_project_disappears_from_reads_and_its_key_stops_working()
    {
        var created = await web.CreateProjectAsync("Projet supprimé");
        using var admin = web.Client(WebFrontFixture.AdminToken);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/projects/{created.Id}")).StatusCode);
        using var anonymous = web.Client();
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"/api/projects/{created.Id}")).StatusCode);
        var list = (await WebFrontFixture.ReadJsonAsync(await anonymous.GetAsync("/api/projects"))).AsArray();
        Assert.DoesNotContain(list, p => p!["id"]!.GetValue<Guid>() == created.Id);
        var csv = await anonymous.GetStringAsync("/api/exports/projets.csv");
        Assert.DoesNotContain(created.Id.ToString(), csv);
        using var editor = web.Client(created.EditorKey);
        var put = await editor.PutAsJsonAsync($"/api/projects/{created.Id}", WebFrontFixture.SampleProject());
        Assert.Equal(HttpStatusCode.Unauthorized, put.StatusCode);
    }

    [Fact]
    public async Task Problems_are_problem_details()
    {
        using var anonymous = web.Client();
        var response = await anonymous.GetAsync($"/api/projects/{Guid.NewGuid()}");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task OpenApi_document_lists_the_routes()
    {
        using var anonymous = web.Client();
        var json = await WebFrontFixture.ReadJsonAsync(await anonymous.GetAsync("/openapi/v1.json"));
        var paths = json["paths"]!.AsObject().Select(p => p.Key).ToHashSet();
        Assert.Contains("/api/projects", paths);
        Assert.Contains("/api/projects/{id}/deliverables/{did}/storage", paths);
        Assert.Contains("/api/projects/{id}/deliverables/{did}/tiles", paths);
        Assert.Contains("/api/exports/dalles.geojson", paths);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/scalar/v1")).StatusCode);
    }
}
