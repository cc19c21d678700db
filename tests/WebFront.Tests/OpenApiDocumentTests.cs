using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Json.Schema;
using Pcrs.WebFront.Model;
using Pcrs.WebFront.Validation;

namespace Pcrs.WebFront.Tests;

/// <summary>
/// The served OpenAPI document: allowed values, descriptions and examples of the request bodies, and the README's curl
/// bodies and the document's own examples valid against its schemas (and accepted by the validators).
/// </summary>
[Collection(WebFrontCollection.Name)]
public sealed partial class OpenApiDocumentTests(WebFrontFixture web) : IClassFixture<WebFrontFixture>
{
    private static readonly string[] RequestTypes =
        ["ProjectRequest", "StepRequest", "ActorRequest", "SubsidyRequest", "SourceRequest", "DeliverableRequest", "StorageRequest"];

    private async Task<JsonNode> DocumentAsync()
    {
        using var anonymous = web.Client();
        var response = await anonymous.GetAsync("/openapi/v1.json", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await WebFrontFixture.ReadJsonAsync(response);
    }

    private static JsonNode Schema(JsonNode document, string name) =>
        document["components"]!["schemas"]![name] ?? throw new Xunit.Sdk.XunitException($"No schema {name} in the document.");

    private static string[] Enum(JsonNode schema, string field) =>
        (schema["properties"]![field]!["enum"] ?? throw new Xunit.Sdk.XunitException($"{field} has no enum"))
        .AsArray().Where(v => v is not null).Select(v => v!.GetValue<string>()).ToArray();

    [Fact]
    public async Task Request_fields_enumerate_the_values_the_validators_accept()
    {
        var document = await DocumentAsync();
        var storage = Schema(document, "StorageRequest");
        Assert.Equal(ProjectVocabulary.StorageTypes, Enum(storage, "type"));
        Assert.Equal(ProjectVocabulary.FtpTls, Enum(storage, "tls"));
        // tls is optional (null: plain FTP), type is not.
        Assert.Contains(storage["properties"]!["tls"]!["enum"]!.AsArray(), v => v is null);
        Assert.DoesNotContain(storage["properties"]!["type"]!["enum"]!.AsArray(), v => v is null);
        Assert.True(storage["properties"]!["password"]!["writeOnly"]!.GetValue<bool>());
        Assert.Contains("type", storage["required"]!.AsArray().Select(r => r!.GetValue<string>()));
        Assert.False(storage["additionalProperties"]!.GetValue<bool>());

        var project = Schema(document, "ProjectRequest");
        Assert.Equal(ProjectVocabulary.Regimes, Enum(project, "regime"));
        Assert.Equal(ProjectVocabulary.ProjectNatures, Enum(project, "nature"));
        Assert.Equal(ProjectVocabulary.StepStatuses, Enum(Schema(document, "StepRequest"), "status"));
        Assert.Equal(ProjectVocabulary.ActorRoles, Enum(Schema(document, "ActorRequest"), "role"));
        Assert.Equal(ProjectVocabulary.Licences, Enum(Schema(document, "DeliverableRequest"), "licence"));
        Assert.Equal(ProjectVocabulary.DeliverableNatures, Enum(Schema(document, "DeliverableRequest"), "nature"));
        Assert.Equal(ProjectVocabulary.Diffusions, Enum(Schema(document, "DeliverableRequest"), "diffusion"));
        Assert.Equal(ProjectVocabulary.SubsidyNatures, Enum(Schema(document, "SubsidyRequest"), "nature"));
    }

    [Fact]
    public async Task Every_request_field_and_type_has_a_description()
    {
        var document = await DocumentAsync();
        foreach (var name in RequestTypes)
        {
            var schema = Schema(document, name);
            Assert.False(string.IsNullOrWhiteSpace(schema["description"]?.GetValue<string>()), $"{name} has no description");
            foreach (var (field, property) in schema["properties"]!.AsObject())
                Assert.False(string.IsNullOrWhiteSpace(property?["description"]?.GetValue<string>()), $"{name}.{field} has no description");
        }
        var scan = Schema(document, "ScanStateResponse");
        Assert.Contains("succeeded", Enum(scan, "status"));
    }

    [Fact]
    public async Task Examples_are_present_valid_against_the_schemas_and_accepted_by_the_validators()
    {
        var document = await DocumentAsync();
        var declare = Operation(document, "/api/projects/{id}/deliverables/{did}/storage", "put");
        var storageExamples = declare["requestBody"]!["content"]!["application/json"]!["examples"]!.AsObject();
        Assert.Equal(["http", "ftps", "sftp"], storageExamples.Select(e => e.Key));
        foreach (var (name, example) in storageExamples)
        {
            var body = example!["value"]!;
            AssertValid(document, RequestSchema(declare), body, name);
            var errors = new ValidationErrors();
            Assert.NotNull(StorageValidator.Validate(Deserialize<StorageRequest>(body), errors));
            Assert.True(errors.IsEmpty, name);
        }
        foreach (var (path, method) in new[] { ("/api/projects", "post"), ("/api/projects/{id}", "put") })
        {
            var operation = Operation(document, path, method);
            var examples = operation["requestBody"]!["content"]!["application/json"]!["examples"]!.AsObject();
            Assert.NotEmpty(examples);
            foreach (var (name, example) in examples)
            {
                AssertValid(document, RequestSchema(operation), example!["value"]!, name);
                var errors = new ValidationErrors();
                Assert.NotNull(ProjectValidator.Validate(Deserialize<ProjectRequest>(example["value"]!), errors).Project);
                Assert.True(errors.IsEmpty, string.Join("; ", errors.ToDictionary().Select(e => e.Key)));
            }
        }
        var import = Operation(document, "/api/admin/import", "post");
        Assert.NotNull(import["requestBody"]!["content"]!["text/csv"]);
        foreach (var (name, example) in import["requestBody"]!["content"]!["application/json"]!["examples"]!.AsObject())
            AssertValid(document, RequestSchema(import), example!["value"]!, name);
        // Main responses carry examples too.
        Assert.NotNull(Operation(document, "/api/projects", "post")["responses"]!["201"]!["content"]!["application/json"]!["example"]);
        Assert.NotNull(declare["responses"]!["202"]!["content"]!["application/json"]!["example"]);
        Assert.NotNull(Operation(document, "/api/projects/{id}/deliverables/{did}/scan", "get")["responses"]!["200"]!["content"]!["application/json"]!["example"]);
    }

    [Fact]
    public async Task The_readme_curl_bodies_validate_against_the_document_and_mistakes_do_not()
    {
        var document = await DocumentAsync();
        var readme = await File.ReadAllTextAsync(Path.Combine(WebFrontFixture.RepositoryRoot(), "README.md"), TestContext.Current.CancellationToken);
        var session = readme[readme.IndexOf("### A session with curl", StringComparison.Ordinal)..];
        session = session[..session.IndexOf("\n```\n", session.IndexOf("```sh", StringComparison.Ordinal), StringComparison.Ordinal)];
        var bodies = CurlBody().Matches(session).Select(m => (Method: m.Groups["method"].Value, Route: m.Groups["route"].Value, Body: JsonNode.Parse(m.Groups["body"].Value)!)).ToList();
        Assert.Contains(bodies, b => b.Method == "POST" && b.Route == "/api/projects");
        Assert.Contains(bodies, b => b.Method == "PUT" && b.Route.EndsWith("/storage", StringComparison.Ordinal));
        foreach (var (method, route, body) in bodies)
        {
            var operation = route == "/api/projects"
                ? Operation(document, "/api/projects", method.ToLowerInvariant())
                : Operation(document, "/api/projects/{id}/deliverables/{did}/storage", method.ToLowerInvariant());
            AssertValid(document, RequestSchema(operation), body, $"{method} {route}");
        }
        // The schema refuses what the server refuses: a misspelled field, a type that is not one of the values.
        var storageSchema = RequestSchema(Operation(document, "/api/projects/{id}/deliverables/{did}/storage", "put"));
        Assert.False(Evaluate(document, storageSchema, JsonNode.Parse("""{"type": "ftp", "host": "h", "username": "u", "pasword": "p"}""")!).IsValid);
        Assert.False(Evaluate(document, storageSchema, JsonNode.Parse("""{"type": "ftps", "host": "h"}""")!).IsValid);
    }

    private static JsonNode Operation(JsonNode document, string path, string method) =>
        document["paths"]![path]?[method] ?? throw new Xunit.Sdk.XunitException($"No {method} {path} in the document.");

    private static JsonNode RequestSchema(JsonNode operation) =>
        operation["requestBody"]!["content"]!["application/json"]!["schema"]!;

    private static T Deserialize<T>(JsonNode body) =>
        body.Deserialize<T>(new JsonSerializerOptions(JsonSerializerDefaults.Web) { UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow })!;

    private static EvaluationResults Evaluate(JsonNode document, JsonNode schema, JsonNode instance)
    {
        // OpenAPI 3.1 schemas are JSON Schema 2020-12: the components become $defs of one schema per evaluation.
        var text = new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["$id"] = $"https://pcrs.test/openapi/{Guid.NewGuid():N}",
            ["$defs"] = document["components"]!["schemas"]!.DeepClone(),
            ["allOf"] = new JsonArray(schema.DeepClone()),
        }.ToJsonString().Replace("#/components/schemas/", "#/$defs/", StringComparison.Ordinal);
        using var json = JsonDocument.Parse(instance.ToJsonString());
        return JsonSchema.FromText(text).Evaluate(json.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
    }

    private static void AssertValid(JsonNode document, JsonNode schema, JsonNode instance, string name)
    {
        var result = Evaluate(document, schema, instance);
        Assert.True(result.IsValid, name + ": " + string.Join("\n", (result.Details ?? []).Where(d => d.Errors is { Count: > 0 })
            .Select(d => $"{d.InstanceLocation}: {string.Join("; ", d.Errors!.Values)}")));
    }

    // curl -s -X METHOD $PCRS/route … -d '{…}' (the body may span lines; it never holds a single quote).
    [GeneratedRegex(@"curl -s -X (?<method>POST|PUT) \$PCRS(?<route>\S+)(?:(?!curl ).)*?-d '(?<body>[^']*)'", RegexOptions.Singleline, matchTimeoutMilliseconds: 1000)]
    private static partial Regex CurlBody();
}
