using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OutputCaching;

namespace Pcrs.WebFront.Import;

/// <summary>POST /api/admin/import: reads the body (JSON array or CSV, bounded), then hands the lines to <see cref="DeclarationImporter"/>.</summary>
public static class ImportEndpoint
{
    /// <summary>Largest import body: 2000 lines of a few hundred bytes, with a wide margin.</summary>
    public const int MaxBodyBytes = 16 * 1024 * 1024;

    public const string Description =
        "Administrators only. Each line creates one project with its deliverables and declares their storages (each login is then " +
        "proven as for PUT …/storage). Every line is checked whole before anything of it is written, and a line is imported entirely or " +
        "not at all; the other lines go on. A line whose project name exists already is refused, so a file can be sent again after " +
        "fixing its refused lines. JSON: an array of {\"project\": <project body>, \"storages\": [<storage body or null>, …]} " +
        "(storages[i] on project.deliverables[i]). CSV (text/csv, UTF-8, header line): one project with one deliverable and its storage " +
        "per line, columns name, regime, nature, budget, perimeters, deliverable, deliverableNature, licence, diffusion, diffusionUrl, " +
        "diffusionLayer, deliveryDate, type, url, host, port, path, username, password, tls, publicConnection, downloadAllowed, rescanDays, " +
        "trust (lists separated by ';'); \"line\" in the answer is the file's line number (header: 1), or the item's position in the JSON array. " +
        "Editor keys are in the answer only: keep it.";

    public static async Task<Results<Ok<ImportReport>, ValidationProblem, ProblemHttpResult>> ImportAsync(
        HttpRequest request, [FromServices] DeclarationImporter importer, [FromServices] IOutputCacheStore cache, CancellationToken cancellationToken)
    {
        var mediaType = request.ContentType?.Split(';')[0].Trim().ToLowerInvariant();
        if (mediaType is not ("application/json" or "text/csv"))
            return TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type",
                detail: "Send the lines as application/json (an array) or text/csv (a header line, then one project per line).");
        if (request.ContentLength > MaxBodyBytes)
            return TooLarge();
        var body = await ReadBoundedAsync(request.Body, cancellationToken);
        if (body is null)
            return TooLarge();

        IReadOnlyList<DeclarationImporter.ParsedLine> lines;
        if (mediaType == "application/json")
        {
            JsonNode? node;
            try
            {
                node = JsonNode.Parse(body);
            }
            catch (JsonException)
            {
                return Invalid("body", "The body is not valid JSON.");
            }
            if (node is not JsonArray items)
                return Invalid("body", "A JSON array of lines is expected: [{\"project\": {…}, \"storages\": [{…}]}, …].");
            if (items.Count > DeclarationImporter.MaxLines)
                return Invalid("body", $"At most {DeclarationImporter.MaxLines} lines per import; split the file.");
            lines = importer.ParseJson(items);
        }
        else
        {
            try
            {
                using var reader = new StringReader(new UTF8Encoding(false, throwOnInvalidBytes: false).GetString(body).TrimStart('\uFEFF'));
                lines = CsvImportReader.Read(reader, DeclarationImporter.MaxLines)
                    .Select(r => new DeclarationImporter.ParsedLine(r.LineNumber, r.Line, r.Field, r.Error)).ToList();
            }
            catch (FormatException e)
            {
                return Invalid("body", e.Message);
            }
        }
        if (lines.Count == 0)
            return Invalid("body", "No line to import.");
        var report = await importer.ImportAsync(lines, cancellationToken);
        if (report.Imported > 0)
            await cache.EvictByTagAsync(WebFrontPolicies.ProjectsTag, cancellationToken);
        return TypedResults.Ok(report);
    }

    private static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]>(StringComparer.Ordinal) { [field] = [message] });

    private static ProblemHttpResult TooLarge() =>
        TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Import too large",
            detail: $"At most {MaxBodyBytes / (1024 * 1024)} MiB per import; split the file.");

    /// <summary>The whole body, or null when it is longer than <see cref="MaxBodyBytes"/> (read no further).</summary>
    private static async Task<byte[]?> ReadBoundedAsync(Stream body, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
                return null;
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }
}
