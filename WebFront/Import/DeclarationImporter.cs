using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Pcrs.Grains.Hosting.Secrets;
using Pcrs.Grains.Projects;
using Pcrs.Grains.Storage;
using Pcrs.WebFront.Auth;
using Pcrs.WebFront.Projects;
using Pcrs.WebFront.Scanning;
using Pcrs.WebFront.Validation;

namespace Pcrs.WebFront.Import;

/// <summary>
/// Applies a bulk import line by line: each line is checked whole (project, storages, addresses, name not taken) before
/// anything is written; a line that fails while being written is undone (storages revoked, project deleted), so a line is
/// imported entirely or not at all, and the other lines go on.
/// </summary>
public sealed class DeclarationImporter(
    ProjectStore store, IAddressGuard addressGuard, IScanGateway scans, ISecretProtector protector,
    IOptions<JsonOptions> json, ILogger<DeclarationImporter> logger)
{
    /// <summary>Most lines in one import: a national operator's few hundred storages, with room to spare.</summary>
    public const int MaxLines = 2000;

    /// <summary>An import line as read (a JSON item or a CSV record), or the reason it could not be read.</summary>
    public sealed record ParsedLine(int Number, ImportLine? Line, string? Field, string? Error);

    /// <summary>The JSON form: an array of <see cref="ImportLine"/>; each item is read on its own, so one bad item refuses one line.</summary>
    public IReadOnlyList<ParsedLine> ParseJson(JsonArray items)
    {
        var lines = new List<ParsedLine>(items.Count);
        for (int i = 0; i < items.Count; i++)
        {
            try
            {
                var line = items[i] is JsonObject item ? item.Deserialize<ImportLine>(json.Value.SerializerOptions) : null;
                lines.Add(line is null ? new ParsedLine(i + 1, null, "line", "An object with \"project\" and \"storages\" is expected.") : new ParsedLine(i + 1, line, null, null));
            }
            catch (JsonException e)
            {
                var field = e.Path is { Length: > 1 } path ? path.TrimStart('$').TrimStart('.') : "line";
                var message = e.Message.Contains("could not be mapped to any .NET member", StringComparison.Ordinal)
                    ? "Unknown field: this request body has no such field (check its spelling)."
                    : "This value is not valid here (wrong JSON type).";
                lines.Add(new ParsedLine(i + 1, null, field.Length == 0 ? "line" : field, message));
            }
        }
        return lines;
    }

    public async Task<ImportReport> ImportAsync(IReadOnlyList<ParsedLine> lines, CancellationToken cancellationToken)
    {
        var taken = (await store.ListAsync(cancellationToken)).ToDictionary(p => p.Document.Name, p => p.Id, StringComparer.OrdinalIgnoreCase);
        var results = new List<ImportLineResult>(lines.Count);
        foreach (var parsed in lines)
        {
            if (parsed.Line is null)
            {
                results.Add(Refused(parsed.Number, new Dictionary<string, string[]>(StringComparer.Ordinal) { [parsed.Field ?? "line"] = [parsed.Error ?? "Unreadable line."] }));
                continue;
            }
            results.Add(await ImportLineAsync(parsed.Number, parsed.Line, taken, cancellationToken));
        }
        int imported = results.Count(r => r.Status == ImportLineResult.Imported);
        return new ImportReport(results.Count, imported, results.Count - imported, results);
    }

    private async Task<ImportLineResult> ImportLineAsync(int number, ImportLine line, Dictionary<string, Guid> taken, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var projectErrors = new ValidationErrors();
        var (project, deliverables) = ProjectValidator.ValidateNew(line.Project, projectErrors);
        errors.AddAll("project", projectErrors);
        if (project is not null && taken.TryGetValue(project.Name, out var existing))
            errors.Add("project.name", $"A project of this name exists already ({existing}): an import never makes a second one.");
        var storages = line.Storages ?? [];
        int deliverableCount = line.Project?.Deliverables?.Count ?? 0;
        if (storages.Count > deliverableCount)
            errors.Add("storages", $"{storages.Count} storages for {deliverableCount} deliverables: storages[i] goes with project.deliverables[i].");
        var validated = new List<ValidatedStorage?>(storages.Count);
        for (int i = 0; i < storages.Count && i < deliverableCount; i++)
        {
            if (storages[i] is null)
            {
                validated.Add(null);
                continue;
            }
            var storageErrors = new ValidationErrors();
            validated.Add(await StorageDeclaring.ValidateAsync(storages[i], addressGuard, storageErrors, cancellationToken));
            errors.AddAll($"storages[{i}]", storageErrors);
        }
        if (!errors.IsEmpty || project is null || deliverables is null)
            return Refused(number, errors.ToDictionary());

        var id = Guid.CreateVersion7();
        var editorKey = AccessTokens.NewEditorKey();
        var deliverableIds = await store.CreateAsync(id, project, deliverables.Select(d => d.Document).ToList(), AccessTokens.Hash(editorKey), cancellationToken);
        var declared = new List<Guid>();
        try
        {
            for (int i = 0; i < validated.Count; i++)
            {
                if (validated[i] is not { } storage)
                    continue;
                await StorageDeclaring.DeclareAsync(scans, protector, deliverableIds[i], storage, cancellationToken);
                declared.Add(deliverableIds[i]);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Nothing half-imported: undo this line (the cluster refused a declaration), report it, go on with the next.
            logger.LogWarning(e, "Import line {Line}: declaring a storage failed; the line is undone", number);
            foreach (var deliverableId in declared)
                await scans.RevokeAsync(deliverableId, CancellationToken.None);
            await store.DeleteAsync(id, CancellationToken.None);
            return ImportLineResult.Refusal(number,
                new ImportProblem("about:blank", "The storage could not be declared", 503, e.Message, new Dictionary<string, string[]>(StringComparer.Ordinal)));
        }
        taken[project.Name] = id;
        return new ImportLineResult(number, ImportLineResult.Imported, id, editorKey, deliverableIds, null);
    }

    private static ImportLineResult Refused(int number, Dictionary<string, string[]> errors) =>
        ImportLineResult.Refusal(number, ImportProblem.Validation(errors));
}
