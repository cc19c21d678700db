using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Pcrs.WebFront.Tests;

/// <summary>
/// Every text of a storage declaration that reaches a catalogue index has a length limit checked at the API: a URL of
/// 800,000 letters or a path longer than the index can hold is a 400 naming the field, answered at once.
/// </summary>
[Collection(WebFrontCollection.Name)]
public sealed class LengthLimitTests(WebFrontFixture web) : IClassFixture<WebFrontFixture>
{
    public static TheoryData<string, string> OverlongDeclarations() => new()
    {
        { "http://127.0.0.1:8081/" + new string('a', 800_000) + "/", "url" },
        { "http://127.0.0.1:8081/" + string.Concat(Enumerable.Repeat("é", 1_100)) + "/", "url" },
        { "/" + string.Concat(Enumerable.Repeat("é", 600)), "path" },
        { "/" + new string('p', 1_100), "path" },
    };

    [Theory]
    [MemberData(nameof(OverlongDeclarations))]
    public async Task Overlong_urls_and_paths_are_refused_naming_the_field(string value, string field)
    {
        var project = await web.CreateProjectAsync("Projet chemins longs");
        using var editor = web.Client(project.EditorKey);
        var body = field == "url"
            ? new JsonObject { ["type"] = "http", ["url"] = value }
            : new JsonObject { ["type"] = "ftp", ["host"] = "127.0.0.1", ["port"] = 2121, ["path"] = value };
        var clock = Stopwatch.StartNew();
        var response = await editor.PutAsJsonAsync($"/api/projects/{project.Id}/deliverables/{project.Deliverables[0]}/storage", body);
        var text = await response.Content.ReadAsStringAsync();
        TestContext.Current.SendDiagnosticMessage($"{field} of {value.Length} characters: {(int)response.StatusCode} in {clock.ElapsedMilliseconds} ms");
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, text);
        var errors = JsonNode.Parse(text)!["errors"]!.AsObject();
        Assert.True(errors.ContainsKey(field), errors.ToJsonString());
        Assert.True(text.Length < 2_000, "the error must not echo the whole value");
    }

    [Fact]
    public async Task A_path_at_the_limit_is_accepted()
    {
        var project = await web.CreateProjectAsync("Projet chemin limite");
        using var editor = web.Client(project.EditorKey);
        var response = await editor.PutAsJsonAsync($"/api/projects/{project.Id}/deliverables/{project.Deliverables[0]}/storage",
            new JsonObject { ["type"] = "http", ["url"] = "http://127.0.0.1:8081/" + new string('b', 1_000) + "/" });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }
}
