using System.Text.RegularExpressions;
using Pcrs.Grains.Projects;
using Pcrs.WebFront.Model;

namespace Pcrs.WebFront.Validation;

/// <summary>
/// Turns a project body into the stored documents, or lists every problem by field name. The rules are the platform's
/// (name of 3 characters or more, at least one perimeter, step dates never decreasing, SIREN of 9 digits, French phone
/// numbers, diffusion URL and layer together) plus bounds on list sizes so a body cannot make the server do unbounded work.
/// </summary>
public static partial class ProjectValidator
{
    public const int MaxListLength = 200;

    /// <summary>A project to create: as <see cref="Validate"/>, and its deliverables carry no id yet.</summary>
    public static (ProjectDocument? Project, List<DeliverableEntry>? Deliverables) ValidateNew(ProjectRequest? request, ValidationErrors errors)
    {
        var (project, deliverables) = Validate(request, errors);
        if (project is null || deliverables is null)
            return (null, null);
        int withId = deliverables.FindIndex(d => d.Id is not null);
        if (withId < 0)
            return (project, deliverables);
        errors.Add($"deliverables[{withId}].id", "A new project's deliverables have no id yet (send null).");
        return (null, null);
    }

    public static (ProjectDocument? Project, List<DeliverableEntry>? Deliverables) Validate(ProjectRequest? request, ValidationErrors errors)
    {
        if (request is null)
        {
            errors.Add("body", "A JSON project document is required.");
            return (null, null);
        }

        var name = FieldRules.Text(errors, "name", request.Name, required: true, maxLength: 200);
        if (name is { Length: < 3 })
            errors.Add("name", "At least 3 characters.");
        var regime = FieldRules.OneOf(errors, "regime", request.Regime, ProjectVocabulary.Regimes);
        var nature = FieldRules.OneOf(errors, "nature", request.Nature, ProjectVocabulary.ProjectNatures);
        if (request.Budget is < 0)
            errors.Add("budget", "The budget cannot be negative.");

        var perimeters = ValidatePerimeters(request.Perimeters, errors);
        var steps = ValidateSteps(request.Steps, errors);
        var actors = ValidateList(request.Actors, "actors", errors, ValidateActor);
        var subsidies = ValidateList(request.Subsidies, "subsidies", errors, ValidateSubsidy);
        var sources = ValidateList(request.Sources, "sources", errors, ValidateSource);
        var deliverables = ValidateList(request.Deliverables, "deliverables", errors, ValidateDeliverable);

        if (!errors.IsEmpty)
            return (null, null);
        var project = new ProjectDocument
        {
            Name = name!,
            Regime = regime!,
            Nature = nature!,
            Budget = request.Budget,
            Perimeters = perimeters,
            Steps = steps,
            Actors = actors,
            Subsidies = subsidies,
            Sources = sources,
        };
        return (project, deliverables);
    }

    private static List<string> ValidatePerimeters(List<string?>? values, ValidationErrors errors)
    {
        var result = new List<string>();
        if (values is null || values.Count == 0)
        {
            errors.Add("perimeters", "At least one perimeter is required (commune:<INSEE>, epci:<SIREN> or departement:<code>).");
            return result;
        }
        if (values.Count > 5000)
        {
            errors.Add("perimeters", "At most 5000 perimeters.");
            return result;
        }
        for (int i = 0; i < values.Count; i++)
        {
            var field = $"perimeters[{i}]";
            var value = values[i]?.Trim() ?? "";
            int colon = value.IndexOf(':');
            var kind = colon < 0 ? "" : value[..colon].ToLowerInvariant();
            var code = colon < 0 ? "" : value[(colon + 1)..].ToUpperInvariant();
            bool valid = kind switch
            {
                "commune" => InseeCode().IsMatch(code),
                "epci" => FieldRules.IsDigits(code, 9),
                "departement" => DepartementCode().IsMatch(code),
                _ => false,
            };
            if (!valid)
                errors.Add(field, $"'{FieldRules.Shorten(value)}' is not commune:<5-character INSEE code>, epci:<9-digit SIREN> or departement:<code>.");
            else
                result.Add($"{kind}:{code}");
        }
        return result;
    }

    private static List<ProjectStep> ValidateSteps(List<StepRequest?>? values, ValidationErrors errors)
    {
        var dates = new List<(int Index, DateOnly Date)>();
        var steps = ValidateList(values, "steps", errors, (step, field, e) =>
        {
            var status = FieldRules.OneOf(e, field + ".status", step.Status, ProjectVocabulary.StepStatuses);
            var date = FieldRules.Date(e, field + ".startDate", step.StartDate, required: true);
            if (date is { } d)
                dates.Add((int.Parse(field.AsSpan("steps[".Length, field.Length - "steps[]".Length), System.Globalization.CultureInfo.InvariantCulture), d));
            return status is null || date is null ? null : new ProjectStep(status, date.Value);
        });
        // The platform's rule: each step starts on or after the previous one, so "the latest past step" is the current
        // status. Checked on every readable date, even of a step whose status is wrong, so the right index is named.
        for (int i = 1; i < dates.Count; i++)
        {
            if (dates[i].Date < dates[i - 1].Date)
                errors.Add($"steps[{dates[i].Index}].startDate",
                    $"Step dates never decrease: {dates[i].Date:yyyy-MM-dd} is before the previous step's {dates[i - 1].Date:yyyy-MM-dd}.");
        }
        return steps;
    }

    private static ProjectActor? ValidateActor(ActorRequest actor, string field, ValidationErrors errors)
    {
        var siren = actor.Siren?.Replace(" ", "", StringComparison.Ordinal).Trim();
        if (string.IsNullOrEmpty(siren))
            errors.Add(field + ".siren", "The SIREN is required (9 digits).");
        else if (!FieldRules.IsDigits(siren, 9))
            errors.Add(field + ".siren", $"A SIREN has exactly 9 digits; '{FieldRules.Shorten(siren)}' has {siren.Length} characters.");
        var name = FieldRules.Text(errors, field + ".name", actor.Name, required: false, 200);
        var contact = FieldRules.Text(errors, field + ".contact", actor.Contact, required: false, 200);
        var role = FieldRules.OneOf(errors, field + ".role", actor.Role, ProjectVocabulary.ActorRoles);
        string? phone = null;
        if (!string.IsNullOrWhiteSpace(actor.Phone))
        {
            phone = new string(actor.Phone.Where(c => c is not (' ' or '.' or '-')).ToArray());
            if (!FrenchPhone().IsMatch(phone))
            {
                errors.Add(field + ".phone", "A French phone number is expected (0X XX XX XX XX or +33XXXXXXXXX).");
                phone = null;
            }
        }
        var email = FieldRules.Text(errors, field + ".email", actor.Email, required: false, 254);
        if (email is not null && !Email().IsMatch(email))
            errors.Add(field + ".email", "An e-mail address is expected.");
        if (actor.FinancingPercent is < 0 or > 100)
            errors.Add(field + ".financingPercent", "A share between 0 and 100 is expected.");
        if (actor.FinancingEuros is < 0)
            errors.Add(field + ".financingEuros", "An amount cannot be negative.");
        if (!FieldRules.IsDigits(siren ?? "", 9) || role is null)
            return null;
        return new ProjectActor(siren!, name, contact, role, phone, email, actor.FinancingPercent, actor.FinancingEuros);
    }

    private static ProjectSubsidy? ValidateSubsidy(SubsidyRequest subsidy, string field, ValidationErrors errors)
    {
        var name = FieldRules.Text(errors, field + ".name", subsidy.Name, required: true, 200);
        var nature = FieldRules.OneOf(errors, field + ".nature", subsidy.Nature, ProjectVocabulary.SubsidyNatures);
        if (subsidy.Amount is < 0)
            errors.Add(field + ".amount", "An amount cannot be negative.");
        var date = FieldRules.Date(errors, field + ".date", subsidy.Date, required: false);
        return name is null || nature is null ? null : new ProjectSubsidy(name, nature == "cepr" ? "cper" : nature, subsidy.Amount, date);
    }

    private static ProjectSource? ValidateSource(SourceRequest source, string field, ValidationErrors errors)
    {
        var kind = FieldRules.Text(errors, field + ".kind", source.Kind, required: true, 50);
        var url = FieldRules.WebUrl(errors, field + ".url", source.Url, required: true);
        return kind is null || url is null ? null : new ProjectSource(kind, url);
    }

    private static DeliverableEntry? ValidateDeliverable(DeliverableRequest deliverable, string field, ValidationErrors errors)
    {
        Guid? id = null;
        if (!string.IsNullOrWhiteSpace(deliverable.Id))
        {
            if (Guid.TryParse(deliverable.Id, out var parsed))
                id = parsed;
            else
                errors.Add(field + ".id", "A deliverable id given by the server (a UUID), or null for a new deliverable.");
        }
        var name = FieldRules.Text(errors, field + ".name", deliverable.Name, required: true, 200);
        var nature = FieldRules.OneOf(errors, field + ".nature", deliverable.Nature, ProjectVocabulary.DeliverableNatures);
        var licence = FieldRules.OneOf(errors, field + ".licence", deliverable.Licence, ProjectVocabulary.Licences);
        var diffusion = FieldRules.OneOf(errors, field + ".diffusion", deliverable.Diffusion ?? "none", ProjectVocabulary.Diffusions);
        var diffusionUrl = FieldRules.WebUrl(errors, field + ".diffusionUrl", deliverable.DiffusionUrl, required: false);
        var diffusionLayer = FieldRules.Text(errors, field + ".diffusionLayer", deliverable.DiffusionLayer, required: false, 200);
        if (diffusion is not null and not "none" && (diffusionUrl is null) != (diffusionLayer is null))
            errors.Add(field + (diffusionUrl is null ? ".diffusionUrl" : ".diffusionLayer"), "The diffusion URL and layer go together: give both or neither.");
        if (diffusion == "none" && (diffusionUrl is not null || diffusionLayer is not null))
            errors.Add(field + ".diffusion", "A diffusion URL or layer needs a diffusion type other than 'none'.");
        var deliveryDate = FieldRules.Date(errors, field + ".deliveryDate", deliverable.DeliveryDate, required: false);
        if (deliverable.Progress is < 0 or > 100)
            errors.Add(field + ".progress", "Progress is a percentage between 0 and 100.");
        if (deliverable.SideOverlap is < 0 or > 100)
            errors.Add(field + ".sideOverlap", "The side overlap is a percentage between 0 and 100.");
        if (deliverable.ForwardOverlap is < 0 or > 100)
            errors.Add(field + ".forwardOverlap", "The forward overlap is a percentage between 0 and 100.");
        if (deliverable.FocalLength is < 1 or > 10_000)
            errors.Add(field + ".focalLength", "The focal length is a whole number of millimetres between 1 and 10000.");
        if (deliverable.Cost is < 0 or > 1_000_000_000_000m)
            errors.Add(field + ".cost", "The cost is an amount of euros between 0 and 1,000,000,000,000.");
        var acquisitionDate = FieldRules.Date(errors, field + ".acquisitionDate", deliverable.AcquisitionDate, required: false);
        var acceptanceDate = FieldRules.Date(errors, field + ".acceptanceDate", deliverable.AcceptanceDate, required: false);
        if (acquisitionDate is { } acquired && acceptanceDate is { } accepted && accepted < acquired)
            errors.Add(field + ".acceptanceDate", "A deliverable is accepted after its photographs were taken: the acceptance date is on or after the acquisition date.");
        if (name is null || nature is null || licence is null || diffusion is null)
            return null;
        return new DeliverableEntry(id, new DeliverableDocument
        {
            Name = name,
            Nature = nature,
            Licence = licence,
            Diffusion = diffusion,
            DiffusionUrl = diffusionUrl,
            DiffusionLayer = diffusionLayer,
            DeliveryDate = deliveryDate,
            Progress = deliverable.Progress,
            SideOverlap = deliverable.SideOverlap,
            ForwardOverlap = deliverable.ForwardOverlap,
            FocalLength = deliverable.FocalLength,
            Cost = deliverable.Cost,
            AcquisitionDate = acquisitionDate,
            AcceptanceDate = acceptanceDate,
        });
    }

    private static List<TOut> ValidateList<TIn, TOut>(
        List<TIn?>? values, string name, ValidationErrors errors, Func<TIn, string, ValidationErrors, TOut?> validate)
        where TIn : class
    {
        var result = new List<TOut>();
        if (values is null)
            return result;
        if (values.Count > MaxListLength)
        {
            errors.Add(name, $"At most {MaxListLength} entries.");
            return result;
        }
        for (int i = 0; i < values.Count; i++)
        {
            var field = $"{name}[{i}]";
            if (values[i] is not { } value)
            {
                errors.Add(field, "An object is expected.");
                continue;
            }
            if (validate(value, field, errors) is { } item)
                result.Add(item);
        }
        return result;
    }

    [GeneratedRegex("^(?:[0-9]{2}|2A|2B)[0-9]{3}$", RegexOptions.NonBacktracking)]
    private static partial Regex InseeCode();

    [GeneratedRegex("^(?:0[1-9]|[1-8][0-9]|9[0-5]|2A|2B|97[1-6])$", RegexOptions.NonBacktracking)]
    private static partial Regex DepartementCode();

    [GeneratedRegex(@"^(?:0[1-9][0-9]{8}|\+33[1-9][0-9]{8})$", RegexOptions.NonBacktracking)]
    private static partial Regex FrenchPhone();

    [GeneratedRegex(@"^[^@\s]+@[^@\s]+\.[^@\s]+$", RegexOptions.NonBacktracking)]
    private static partial Regex Email();
}
