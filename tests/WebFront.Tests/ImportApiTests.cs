using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Pcrs.TestSupport;

namespace Pcrs.WebFront.Tests;

/// <summary>
/// POST /api/admin/import: administrators only; each line checked whole and imported entirely or not at all, refused
/// lines reported with the field names, the other lines imported (projects, deliverables, declared storages, editor keys).
/// </summary>
[Collection(WebFrontCollection.Name)]
public sealed class ImportApiTests(WebFrontFixture web) : IClassFixture<WebFrontFixture>
{
    private static JsonObject Line(string name, JsonNode? storage, string regime = "production") => new()
    {
        ["project"] = new JsonObject
        {
            ["name"] = name, ["regime"] = regime, ["nature"] = "raster", ["perimeters"] = new JsonArray("epci:200039865"),
            ["deliverables"] = new JsonArray(new JsonObject { ["name"] = "Ortho", ["nature"] = "geotiff", ["licence"] = "ouvert_lo" }),
        },
        ["storages"] = new JsonArray(storage),
    };

    private static JsonObject HttpStorage() => new()
    {
        ["type"] = "http", ["url"] = $"http://127.0.0.1:{Peers.Nginx}/fixtures/", ["downloadAllowed"] = true,
    };

    [Fact]
    public async Task Only_administrators_may_import()
    {
        var project = await web.CreateProjectAsync("Projet d'un éditeur (import)");
        var body = new JsonArray(Line("Import interdit", null));
        using var anonymous = web.Client();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync("/api/admin/import", body, TestContext.Current.CancellationToken)).StatusCode);
        using var stranger = web.Client("not-a-known-token");
        Assert.Equal(HttpStatusCode.Unauthorized, (await stranger.PostAsJsonAsync("/api/admin/import", body, TestContext.Current.CancellationToken)).StatusCode);
        using var editor = web.Client(project.EditorKey);
        Assert.Equal(HttpStatusCode.Forbidden, (await editor.PostAsJsonAsync("/api/admin/import", body, TestContext.Current.CancellationToken)).StatusCode);

        using var admin = web.Client(WebFrontFixture.AdminToken);
        var names = (await WebFrontFixture.ReadJsonAsync(await admin.GetAsync("/api/projects", TestContext.Current.CancellationToken)))
            .AsArray().Select(p => p!["name"]!.GetValue<string>());
        Assert.DoesNotContain("Import interdit", names);
    }

    [Fact]
    public async Task Json_lines_are_imported_or_refused_one_by_one_and_never_half()
    {
        using var admin = web.Client(WebFrontFixture.AdminToken);
        var ftpWithTypo = new JsonObject { ["type"] = "ftp", ["host"] = "127.0.0.1", ["username"] = "u", ["pasword"] = "p" };
        var badHost = new JsonObject { ["type"] = "ftp", ["host"] = "not a host", ["port"] = 70000 };
        var body = new JsonArray(
            Line("Import JSON bon", HttpStorage()),
            Line("Import JSON régime faux", badHost, regime: "prod"),
            Line("Import JSON champ mal écrit", ftpWithTypo),
            Line("Import JSON sans stockage", null),
            new JsonObject { ["project"] = new JsonObject { ["name"] = "x" }, ["storages"] = new JsonArray(HttpStorage(), HttpStorage()) });
        var response = await admin.PostAsJsonAsync("/api/admin/import", body, TestContext.Current.CancellationToken);
        var report = await WebFrontFixture.ReadJsonAsync(response);
        Assert.True(response.StatusCode == HttpStatusCode.OK, report.ToJsonString());
        Assert.Equal(5, report["lines"]!.GetValue<int>());
        Assert.Equal(2, report["imported"]!.GetValue<int>());
        Assert.Equal(3, report["refused"]!.GetValue<int>());
        var results = report["results"]!.AsArray();

        // Line 1: the project, its deliverable and its declared storage exist; its editor key opens that project.
        var first = results[0]!;
        Assert.Equal("imported", first["status"]!.GetValue<string>());
        var id = first["projectId"]!.GetValue<Guid>();
        var did = first["deliverableIds"]![0]!.GetValue<Guid>();
        var project = await WebFrontFixture.ReadJsonAsync(await admin.GetAsync($"/api/projects/{id}", TestContext.Current.CancellationToken));
        Assert.Equal("Import JSON bon", project["name"]!.GetValue<string>());
        Assert.Equal("http", project["deliverables"]![0]!["storage"]!["type"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync($"/api/projects/{id}/deliverables/{did}/scan", TestContext.Current.CancellationToken)).StatusCode);
        using var editor = web.Client(first["editorKey"]!.GetValue<string>());
        var session = await WebFrontFixture.ReadJsonAsync(await editor.GetAsync("/api/session", TestContext.Current.CancellationToken));
        Assert.Equal(id, session["projectId"]!.GetValue<Guid>());

        // Line 2: every problem of the line, named with its place in the line, in ProblemDetails form.
        var second = results[1]!;
        Assert.Equal("refused", second["status"]!.GetValue<string>());
        Assert.Equal(2, second["line"]!.GetValue<int>());
        Assert.Equal(400, second["problem"]!["status"]!.GetValue<int>());
        var errors = second["problem"]!["errors"]!.AsObject();
        Assert.Contains("project.regime", errors.Select(e => e.Key));
        Assert.Contains(errors.Select(e => e.Key), k => k.StartsWith("storages[0].", StringComparison.Ordinal));
        Assert.Null(second["projectId"]);
        // Line 3: an unknown field is named, as in the single routes.
        Assert.Contains("pasword", results[2]!["problem"]!["errors"]!.AsObject().Single().Key, StringComparison.Ordinal);
        // Line 4: no storage is fine.
        Assert.Equal("imported", results[3]!["status"]!.GetValue<string>());
        // Line 5: more storages than deliverables, and a name too short.
        var fifth = results[4]!["problem"]!["errors"]!.AsObject().Select(e => e.Key).ToList();
        Assert.Contains("storages", fifth);
        Assert.Contains("project.name", fifth);

        // Nothing of the refused lines was written.
        var names = (await WebFrontFixture.ReadJsonAsync(await admin.GetAsync("/api/projects", TestContext.Current.CancellationToken)))
            .AsArray().Select(p => p!["name"]!.GetValue<string>()).ToList();
        Assert.Contains("Import JSON bon", names);
        Assert.DoesNotContain("Import JSON régime faux", names);
        Assert.DoesNotContain("Import JSON champ mal écrit", names);

        // Sent again: the imported lines are refused by name, never doubled.
        var again = await WebFrontFixture.ReadJsonAsync(await admin.PostAsJsonAsync("/api/admin/import", new JsonArray(Line("Import JSON bon", HttpStorage())), TestContext.Current.CancellationToken));
        Assert.Equal(1, again["refused"]!.GetValue<int>());
        Assert.Contains("project.name", again["results"]![0]!["problem"]!["errors"]!.AsObject().Select(e => e.Key));
        names = (await WebFrontFixture.ReadJsonAsync(await admin.GetAsync("/api/projects", TestContext.Current.CancellationToken)))
            .AsArray().Select(p => p!["name"]!.GetValue<string>()).ToList();
        Assert.Single(names, n => n == "Import JSON bon");
    }

    [Fact]
    public async Task Csv_lines_are_numbered_as_in_the_file_and_checked_alone()
    {
        using var admin = web.Client(WebFrontFixture.AdminToken);
        var csv = new StringBuilder()
            .Append("name,regime,nature,perimeters,deliverable,deliverableNature,licence,type,host,port,path,username,password,tls,downloadAllowed\n")
            .Append(CultureInfo($"\"Import CSV, FTP\",production,raster,epci:200039865;commune:57463,Ortho,geotiff,ouvert_lo,ftp,127.0.0.1,{Peers.VsftpdFtp},/import-csv,{Peers.User},{Peers.Password},none,true\n"))
            .Append("Import CSV port faux,production,raster,epci:200039865,Ortho,geotiff,ouvert_lo,ftp,127.0.0.1,abc,/,,,,\n")
            .Append("\"Import CSV\nsur deux lignes\",maj,vecteur,departement:57,Réseaux,gml,ferme,,,,,,,,\n")
            .Append("Import CSV court,production\n")
            .Append("Import CSV sans stockage,maj,vecteur,departement:57,Réseaux,gml,ferme,,,,,,,,\n")
            .ToString();
        using var content = new StringContent(csv, Encoding.UTF8, "text/csv");
        var response = await admin.PostAsync("/api/admin/import", content, TestContext.Current.CancellationToken);
        var report = await WebFrontFixture.ReadJsonAsync(response);
        Assert.True(response.StatusCode == HttpStatusCode.OK, report.ToJsonString());
        var results = report["results"]!.AsArray();
        // The quoted name spans two lines of the file (and a name refuses line breaks): the next record is line 6.
        Assert.Equal([2, 3, 4, 6, 7], results.Select(r => r!["line"]!.GetValue<int>()));
        Assert.Equal(["imported", "refused", "refused", "refused", "imported"], results.Select(r => r!["status"]!.GetValue<string>()));
        Assert.Equal("port", results[1]!["problem"]!["errors"]!.AsObject().Single().Key);
        Assert.Equal("project.name", results[2]!["problem"]!["errors"]!.AsObject().Single().Key);
        Assert.Equal("line", results[3]!["problem"]!["errors"]!.AsObject().Single().Key);
        Assert.DoesNotContain(Peers.Password, report.ToJsonString(), StringComparison.Ordinal);

        var id = results[0]!["projectId"]!.GetValue<Guid>();
        var project = await WebFrontFixture.ReadJsonAsync(await admin.GetAsync($"/api/projects/{id}", TestContext.Current.CancellationToken));
        Assert.Equal("Import CSV, FTP", project["name"]!.GetValue<string>());
        Assert.Equal(["epci:200039865", "commune:57463"], project["perimeters"]!.AsArray().Select(p => p!.GetValue<string>()));
        Assert.Equal("ftp", project["deliverables"]![0]!["storage"]!["type"]!.GetValue<string>());

        // A header naming an unknown column refuses the whole file, naming it.
        using var unknown = new StringContent("name,regime,colour\nA,production,red\n", Encoding.UTF8, "text/csv");
        var refused = await admin.PostAsync("/api/admin/import", unknown, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("colour", await refused.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        // Another media type is a 415.
        using var text = new StringContent("name\n", Encoding.UTF8, "text/plain");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await admin.PostAsync("/api/admin/import", text, TestContext.Current.CancellationToken)).StatusCode);
    }

    private static string CultureInfo(FormattableString text) => FormattableString.Invariant(text);
}
