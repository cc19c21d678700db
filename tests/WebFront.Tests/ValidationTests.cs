using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace Pcrs.WebFront.Tests;

/// <summary>Validation errors are ProblemDetails 400 whose "errors" name the field.</summary>
[Collection(WebFrontCollection.Name)]
public sealed class ValidationTests(WebFrontFixture web) : IClassFixture<WebFrontFixture>
{
    private async Task<JsonObject> PostProjectExpecting400(JsonNode body)
    {
        using var admin = web.Client(WebFrontFixture.AdminToken);
        var response = await admin.PostAsJsonAsync("/api/projects", body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return (await WebFrontFixture.ReadJsonAsync(response))["errors"]!.AsObject();
    }

    [Fact]
    public async Task Project_errors_name_each_field()
    {
        var body = WebFrontFixture.SampleProject();
        body["regime"] = "permanent";
        body["perimeters"]!.AsArray().Add("commune:123");
        body["actors"]![0]!["siren"] = "20003986";
        body["actors"]![0]!["role"] = "mécène";
        body["steps"] = new JsonArray(
            new JsonObject { ["status"] = "investigation", ["startDate"] = "2020-01-01" },
            new JsonObject { ["status"] = "terminé", ["startDate"] = "2021-01-01" },
            new JsonObject { ["status"] = "disponible", ["startDate"] = "2019-01-01" },
            new JsonObject { ["status"] = "obsolete", ["startDate"] = "2019-13-45" });
        body["deliverables"]![0]!["nature"] = "png";
        body["deliverables"]![0]!["diffusionLayer"] = null;
        body["sources"]![0]!["url"] = "javascript:alert(1)";

        var errors = await PostProjectExpecting400(body);
        foreach (var field in new[]
                 {
                     "regime", "perimeters[2]", "actors[0].siren", "actors[0].role", "steps[1].status", "steps[2].startDate",
                     "steps[3].startDate", "deliverables[0].nature", "deliverables[0].diffusionLayer", "sources[0].url",
                 })
            Assert.True(errors.ContainsKey(field), $"no error for {field}: {errors.ToJsonString()}");
        Assert.Contains("9 digits", errors["actors[0].siren"]![0]!.GetValue<string>());
    }

    [Fact]
    public async Task Declared_deliverable_fields_out_of_range_are_named()
    {
        var body = WebFrontFixture.SampleProject(deliverables: 2);
        var first = body["deliverables"]![0]!;
        first["sideOverlap"] = 101;
        first["forwardOverlap"] = -1;
        first["focalLength"] = 0;
        first["cost"] = -5;
        first["acquisitionDate"] = "2024-02-30";
        var second = body["deliverables"]![1]!;
        second["acquisitionDate"] = "2024-05-02";
        second["acceptanceDate"] = "2024-05-01";

        var errors = await PostProjectExpecting400(body);
        foreach (var field in new[]
                 {
                     "deliverables[0].sideOverlap", "deliverables[0].forwardOverlap", "deliverables[0].focalLength", "deliverables[0].cost",
                     "deliverables[0].acquisitionDate", "deliverables[1].acceptanceDate",
                 })
            Assert.True(errors.ContainsKey(field), $"no error for {field}: {errors.ToJsonString()}");
        Assert.Equal(6, errors.Count);
    }

    [Fact]
    public async Task Wrong_json_type_names_the_field()
    {
        using var admin = web.Client(WebFrontFixture.AdminToken);
        var json = WebFrontFixture.SampleProject().ToJsonString().Replace("\"budget\":120000", "\"budget\":\"beaucoup\"", StringComparison.Ordinal);
        var response = await admin.PostAsync("/api/projects", new StringContent(json, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await WebFrontFixture.ReadJsonAsync(response))["errors"]!.AsObject();
        Assert.True(errors.ContainsKey("budget"), errors.ToJsonString());
    }

    [Fact]
    public async Task A_misspelled_field_is_named_not_ignored()
    {
        var body = WebFrontFixture.SampleProject();
        body["deliverables"]![0]!["license"] = "ouvert_lo";

        var errors = await PostProjectExpecting400(body);

        Assert.True(errors.ContainsKey("deliverables[0].licence") || errors.ContainsKey("deliverables[0].license"), errors.ToJsonString());
        Assert.Contains("Unknown field", errors.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_misspelled_storage_field_is_named()
    {
        var project = await web.CreateProjectAsync("Unknown storage field");
        using var admin = web.Client(WebFrontFixture.AdminToken);
        var response = await admin.PutAsync($"/api/projects/{project.Id}/deliverables/{project.Deliverables[0]}/storage",
            new StringContent("{\"type\":\"ftp\",\"host\":\"127.0.0.1\",\"port\":2121,\"username\":\"peer\",\"pasword\":\"x\"}", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await WebFrontFixture.ReadJsonAsync(response))["errors"]!.AsObject();
        Assert.True(errors.ContainsKey("pasword"), errors.ToJsonString());
    }

    [Theory]
    [InlineData("{\"type\":\"ftp\",\"host\":\"bad host!\",\"port\":21}", "host")]
    [InlineData("{\"type\":\"ftp\",\"host\":\"127.0.0.1\",\"port\":70000}", "port")]
    [InlineData("{\"type\":\"sftp\",\"host\":\"127.0.0.1\",\"port\":0}", "port")]
    [InlineData("{\"type\":\"ftp\",\"host\":\"127.0.0.1\",\"path\":\"/a\\r\\nDELE b\"}", "path")]
    [InlineData("{\"type\":\"ftp\",\"host\":\"127.0.0.1\",\"username\":\"u\\r\\nPASS x\"}", "username")]
    [InlineData("{\"type\":\"ftp\",\"host\":\"127.0.0.1\",\"tls\":\"sometimes\"}", "tls")]
    [InlineData("{\"type\":\"gopher\",\"host\":\"127.0.0.1\"}", "type")]
    [InlineData("{\"type\":\"http\",\"url\":\"ftp://127.0.0.1/\"}", "url")]
    [InlineData("{\"type\":\"http\",\"url\":\"http://u:p@127.0.0.1:8081/\"}", "url")]
    [InlineData("{\"type\":\"http\",\"url\":\"http://169.254.169.254/latest/\"}", "url")]
    [InlineData("{\"type\":\"ftp\",\"host\":\"10.1.2.3\",\"port\":21}", "host")]
    [InlineData("{\"type\":\"sftp\",\"host\":\"0xa9fea9fe\",\"port\":22}", "host")]
    [InlineData("{\"type\":\"ftp\",\"host\":\"127.0.0.1\",\"port\":\"twenty-one\"}", "port")]
    [InlineData("{\"type\":\"ftp\",\"host\":\"127.0.0.1\",\"rescanDays\":0}", "rescanDays")]
    [InlineData("{\"type\":\"ftp\",\"host\":\"127.0.0.1\",\"rescanDays\":400}", "rescanDays")]
    [InlineData("{\"type\":\"ftp\",\"host\":\"127.0.0.1\",\"trust\":[\"SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU\"]}", "trust")]
    [InlineData("{\"type\":\"sftp\",\"host\":\"127.0.0.1\",\"trust\":[\"MD5:16:27:ac:a5:76:28:2d:36:63:1b:56:4d:eb:df:a6:48\"]}", "trust")]
    [InlineData("{\"type\":\"ftp\",\"tls\":\"explicit\",\"host\":\"127.0.0.1\",\"trust\":[\"SHA256:tooshort\"]}", "trust")]
    public async Task Storage_errors_name_the_field(string body, string field)
    {
        var project = await web.CreateProjectAsync("Projet stockage invalide");
        using var editor = web.Client(project.EditorKey);
        var response = await editor.PutAsync($"/api/projects/{project.Id}/deliverables/{project.Deliverables[0]}/storage",
            new StringContent(body, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, text);
        var errors = JsonNode.Parse(text)!["errors"]!.AsObject();
        Assert.True(errors.ContainsKey(field), $"no error for {field}: {text}");
    }

    [Theory]
    [InlineData("bbox=1,2,3")]
    [InlineData("bbox=a,b,c,d")]
    [InlineData("bbox=5,45,4,46")]
    [InlineData("bbox=-200,45,4,46")]
    public async Task Tiles_bbox_errors_name_bbox(string query)
    {
        var project = await web.CreateProjectAsync("Projet bbox");
        using var anonymous = web.Client();
        var response = await anonymous.GetAsync($"/api/projects/{project.Id}/deliverables/{project.Deliverables[0]}/tiles?{query}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await WebFrontFixture.ReadJsonAsync(response))["errors"]!.AsObject();
        Assert.True(errors.ContainsKey("bbox"));
    }
}
