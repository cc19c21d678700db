using Pcrs.WebFront.Model;

namespace Pcrs.WebFront.Import;

/// <summary>
/// One line of a bulk import (JSON form): a new project, and the storages of its deliverables in the same order
/// (<c>storages[i]</c> is declared on <c>project.deliverables[i]</c>; null or missing: no storage yet).
/// </summary>
public sealed record ImportLine(ProjectRequest? Project, List<StorageRequest?>? Storages);

/// <summary>Answer of POST /api/admin/import: how many lines, and one result per line in order.</summary>
public sealed record ImportReport(int Lines, int Imported, int Refused, IReadOnlyList<ImportLineResult> Results);

/// <summary>
/// One line's outcome: "imported" with the new ids and the editor key (shown this once), or "refused" with a
/// ProblemDetails-style problem whose errors name the fields ("project.regime", "storages[0].host"). A refused line
/// wrote nothing.
/// </summary>
public sealed record ImportLineResult(
    int Line,
    string Status,
    Guid? ProjectId,
    string? EditorKey,
    IReadOnlyList<Guid>? DeliverableIds,
    ImportProblem? Problem)
{
    /// <summary>The two published values of <see cref="Status"/>, written and compared only through these.</summary>
    public const string Imported = "imported";

    /// <inheritdoc cref="Imported"/>
    public const string Refused = "refused";

    public static ImportLineResult Refusal(int line, ImportProblem problem) => new(line, Refused, null, null, null, problem);
}

/// <summary>RFC 9457 problem details of one refused line (as a 400 of the single-item routes would say it).</summary>
public sealed record ImportProblem(string Type, string Title, int Status, string? Detail, IReadOnlyDictionary<string, string[]> Errors)
{
    public static ImportProblem Validation(IReadOnlyDictionary<string, string[]> errors) =>
        new("https://tools.ietf.org/html/rfc9110#section-15.5.1", "One or more validation errors occurred.", 400, null, errors);
}
