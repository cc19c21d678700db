namespace Pcrs.Grains.Projects;

// The project as owners edit it, with the field names and enumeration values the users of the PCRS platform know.
// Stored as JSON in pcrs_projects.document (deliverables apart, in pcrs_deliverables). Validation happens in the web
// front before anything reaches the store, so these records hold already-checked values.

public sealed record ProjectDocument
{
    public required string Name { get; init; }
    public required string Regime { get; init; }
    public required string Nature { get; init; }
    public long? Budget { get; init; }
    public IReadOnlyList<string> Perimeters { get; init; } = [];
    public IReadOnlyList<ProjectStep> Steps { get; init; } = [];
    public IReadOnlyList<ProjectActor> Actors { get; init; } = [];
    public IReadOnlyList<ProjectSubsidy> Subsidies { get; init; } = [];
    public IReadOnlyList<ProjectSource> Sources { get; init; } = [];

    /// <summary>The latest step whose start date is not in the future (the platform's rule); null before the first step.</summary>
    public string? CurrentStatus(DateOnly today) =>
        Steps.LastOrDefault(s => s.StartDate <= today)?.Status;
}

public sealed record ProjectStep(string Status, DateOnly StartDate);

public sealed record ProjectActor(
    string Siren,
    string? Name,
    string? Contact,
    string Role,
    string? Phone,
    string? Email,
    decimal? FinancingPercent,
    decimal? FinancingEuros);

public sealed record ProjectSubsidy(string Name, string Nature, decimal? Amount, DateOnly? Date);

public sealed record ProjectSource(string Kind, string Url);

public sealed record DeliverableDocument
{
    public required string Name { get; init; }
    public required string Nature { get; init; }
    public required string Licence { get; init; }
    public string Diffusion { get; init; } = "none";
    public string? DiffusionUrl { get; init; }
    public string? DiffusionLayer { get; init; }
    public DateOnly? DeliveryDate { get; init; }
    public int? Progress { get; init; }

    // The platform's livrable fields recouvr_lat, recouvr_lon, focale and cout, as the owner declares them.

    /// <summary>Side overlap of the aerial photographs in percent (the platform's recouvr_lat).</summary>
    public decimal? SideOverlap { get; init; }

    /// <summary>Forward overlap of the aerial photographs in percent (the platform's recouvr_lon).</summary>
    public decimal? ForwardOverlap { get; init; }

    /// <summary>Focal length of the camera in millimetres (the platform's focale).</summary>
    public int? FocalLength { get; init; }

    /// <summary>Cost of the deliverable in euros (the platform's cout).</summary>
    public decimal? Cost { get; init; }

    // RasterPCRS dateAcquisition and dateRecette: the scan cannot read them, the owner can declare them.

    /// <summary>Day the photographs were taken (the first day when the flights took several).</summary>
    public DateOnly? AcquisitionDate { get; init; }

    /// <summary>Day the deliverable was accepted after its checks (RasterPCRS dateRecette).</summary>
    public DateOnly? AcceptanceDate { get; init; }
}

/// <summary>A deliverable with its server id (null in a PUT body for a new deliverable).</summary>
public sealed record DeliverableEntry(Guid? Id, DeliverableDocument Document);
