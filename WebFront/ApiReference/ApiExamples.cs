using System.Text.Json.Nodes;

namespace Pcrs.WebFront.ApiReference;

/// <summary>
/// Example bodies of the OpenAPI document, per operation id: the README's curl session and the other storage kinds.
/// Tests validate each against the document's own schemas, so an example never shows a body the server would refuse.
/// </summary>
public static class ApiExamples
{
    /// <summary>A named example: its short title and its JSON.</summary>
    public sealed record Example(string Name, string Summary, string Json);

    private const string Project = """
        {"name": "Métropole de Metz", "regime": "production", "nature": "raster",
         "perimeters": ["epci:200039865"],
         "steps": [{"status": "disponible", "startDate": "2024-06-01"}],
         "actors": [{"siren": "200039865", "name": "Metz Métropole", "role": "porteur"}],
         "deliverables": [{"name": "Ortho 5 cm", "nature": "geotiff", "licence": "ouvert_lo", "diffusion": "none"}]}
        """;

    private const string ProjectUpdate = """
        {"name": "Métropole de Metz", "regime": "production", "nature": "raster",
         "perimeters": ["epci:200039865", "commune:57463"],
         "steps": [{"status": "prod_en_cours", "startDate": "2024-01-15"}, {"status": "disponible", "startDate": "2024-06-01"}],
         "actors": [{"siren": "200039865", "name": "Metz Métropole", "role": "porteur", "phone": "+33387201000", "financingPercent": 100}],
         "subsidies": [{"name": "Participation FEDER", "nature": "feder", "amount": 50000, "date": "2023-11-02"}],
         "sources": [{"kind": "cahier des charges", "url": "https://example.org/ccap.pdf"}],
         "deliverables": [{"id": "01a24df7-aa87-7c1e-9d2b-3f1e5a6b7c8d", "name": "Ortho 5 cm", "nature": "geotiff", "licence": "ouvert_lo",
                           "diffusion": "wms", "diffusionUrl": "https://example.org/wms", "diffusionLayer": "pcrs_ortho", "progress": 100}]}
        """;

    private const string SecondImportLine = """
        {"project": {"name": "Communauté de communes du Saulnois", "regime": "maj", "nature": "vecteur", "perimeters": ["epci:245701404"],
                     "deliverables": [{"name": "Réseaux", "nature": "gml", "licence": "ouvert_odbl"}]},
         "storages": [{"type": "sftp", "host": "sftp.example.org", "path": "/pcrs", "username": "pcrs", "password": "s3cret"}]}
        """;

    /// <summary>Request body examples by operation id.</summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyList<Example>> Requests = new Dictionary<string, IReadOnlyList<Example>>(StringComparer.Ordinal)
    {
        ["CreateProject"] = [new("project", "A raster project with one deliverable", Project)],
        ["UpdateProject"] = [new("update", "The whole project again; the existing deliverable keeps its id", ProjectUpdate)],
        ["AdminImport"] =
        [
            new("lines", "Two projects, the second with its deliverable's SFTP storage",
                "[{\"project\": " + Project + """, "storages": [{"type": "http", "url": "http://127.0.0.1:8081/fixtures/"}]},""" + SecondImportLine + "]"),
        ],
        ["DeclareStorage"] =
        [
            new("http", "An HTTP directory listing", """{"type": "http", "url": "http://127.0.0.1:8081/fixtures/", "downloadAllowed": true}"""),
            new("ftps", "FTP with explicit TLS and a self-signed certificate's fingerprint",
                """{"type": "ftp", "host": "ftp.example.org", "port": 21, "path": "/pcrs/ortho", "username": "pcrs", "password": "s3cret", "tls": "explicit", "trust": ["SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU"]}"""),
            new("sftp", "SFTP, checked every 7 days",
                """{"type": "sftp", "host": "sftp.example.org", "port": 22, "path": "/data/pcrs", "username": "pcrs", "password": "s3cret", "rescanDays": 7}"""),
        ],
    };

    /// <summary>Response examples by operation id and status code.</summary>
    public static readonly IReadOnlyDictionary<(string Operation, string Status), string> Responses = new Dictionary<(string, string), string>
    {
        [("CreateProject", "201")] = """{"id": "01a24df7-aa81-7f3c-8b1e-2d4c6e8f0a1b", "editorKey": "emR_wSucq3x9Qk2VbN7tLp0aZy4Hf6Jd", "deliverableIds": ["01a24df7-aa87-7c1e-9d2b-3f1e5a6b7c8d"]}""",
        [("CreateProject", "400")] = """{"type": "https://tools.ietf.org/html/rfc9110#section-15.5.1", "title": "One or more validation errors occurred.", "status": 400, "errors": {"regime": ["Unknown value 'prod' (expected one of: production, maj, anticipation)."]}}""",
        [("DeclareStorage", "202")] = """{"status": "verifying", "scan": "/api/projects/01a24df7-aa81-7f3c-8b1e-2d4c6e8f0a1b/deliverables/01a24df7-aa87-7c1e-9d2b-3f1e5a6b7c8d/scan"}""",
        [("DeclareStorage", "400")] = """{"type": "https://tools.ietf.org/html/rfc9110#section-15.5.1", "title": "One or more validation errors occurred.", "status": 400, "errors": {"pasword": ["Unknown field: this request body has no such field (check its spelling)."]}}""",
        [("RequestScan", "202")] = """{"status": "queued", "scan": "/api/projects/01a24df7-aa81-7f3c-8b1e-2d4c6e8f0a1b/deliverables/01a24df7-aa87-7c1e-9d2b-3f1e5a6b7c8d/scan"}""",
        [("GetScan", "200")] = """{"status": "succeeded", "progress": {"directories": 1, "files": 37, "analysed": 30, "unchanged": 0, "errors": 4, "bytesRead": 119237}, "lastSuccessAt": "2026-12-07T00:46:42.6+00:00", "lastError": null}""",
        [("AdminImport", "200")] = """{"lines": 2, "imported": 1, "refused": 1, "results": [{"line": 1, "status": "imported", "projectId": "01a24df7-aa81-7f3c-8b1e-2d4c6e8f0a1b", "editorKey": "emR_wSucq3x9Qk2VbN7tLp0aZy4Hf6Jd", "deliverableIds": ["01a24df7-aa87-7c1e-9d2b-3f1e5a6b7c8d"], "problem": null}, {"line": 2, "status": "refused", "projectId": null, "editorKey": null, "deliverableIds": null, "problem": {"type": "https://tools.ietf.org/html/rfc9110#section-15.5.1", "title": "One or more validation errors occurred.", "status": 400, "detail": null, "errors": {"storages[0].host": ["The host could not be resolved: sftp.example.org"]}}}]}""",
        [("AdminRenewEditorKey", "200")] = """{"id": "01a24df7-aa81-7f3c-8b1e-2d4c6e8f0a1b", "editorKey": "Vq8mN2xR5tLw0aZy4Hf6JdemR_wSucq3"}""",
    };

    public static JsonNode Parse(string json) => JsonNode.Parse(json) ?? throw new InvalidOperationException("An example is empty.");
}
