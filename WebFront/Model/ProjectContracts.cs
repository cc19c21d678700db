namespace Pcrs.WebFront.Model;

// JSON bodies of the projects routes (issue 5 "JSON shapes"). Everything is nullable and dates and ids are strings so
// that a wrong value reaches the validator, which names the field, instead of failing inside the JSON reader.

public sealed record ProjectRequest(
    string? Name,
    string? Regime,
    string? Nature,
    long? Budget,
    List<string?>? Perimeters,
    List<StepRequest?>? Steps,
    List<ActorRequest?>? Actors,
    List<SubsidyRequest?>? Subsidies,
    List<SourceRequest?>? Sources,
    List<DeliverableRequest?>? Deliverables);

public sealed record StepRequest(string? Status, string? StartDate);

public sealed record ActorRequest(
    string? Siren,
    string? Name,
    string? Contact,
    string? Role,
    string? Phone,
    string? Email,
    decimal? FinancingPercent,
    decimal? FinancingEuros);

public sealed record SubsidyRequest(string? Name, string? Nature, decimal? Amount, string? Date);

public sealed record SourceRequest(string? Kind, string? Url);

public sealed record DeliverableRequest(
    string? Id,
    string? Name,
    string? Nature,
    string? Licence,
    string? Diffusion,
    string? DiffusionUrl,
    string? DiffusionLayer,
    string? DeliveryDate,
    int? Progress,
    decimal? SideOverlap = null,
    decimal? ForwardOverlap = null,
    int? FocalLength = null,
    decimal? Cost = null,
    string? AcquisitionDate = null,
    string? AcceptanceDate = null);

/// <summary>201 answer of POST /api/projects: the editor key is shown this once and only its hash is kept.</summary>
public sealed record ProjectCreated(Guid Id, string EditorKey, IReadOnlyList<Guid> DeliverableIds);

public sealed record StepResponse(string Status, string StartDate);

public sealed record ProjectListItem(
    Guid Id,
    string Name,
    string Regime,
    string Nature,
    string? CurrentStatus,
    IReadOnlyList<string> Perimeters,
    int Deliverables,
    IReadOnlyList<double>? Bbox,
    IReadOnlyList<ActorSummary> Actors,
    IReadOnlyList<PerimeterName> Territories);

/// <summary>
/// A declared perimeter with its official name (null when the code is not in the official list the server holds), so
/// that a project is known by its places before any scan gives it an extent.
/// </summary>
public sealed record PerimeterName(string Id, string Kind, string Code, string? Name, string? Context);

/// <summary>An actor as the project list shows it (for the map's actor filter): no contact details.</summary>
public sealed record ActorSummary(string Siren, string? Name, string Role);

public sealed record ProjectResponse(
    Guid Id,
    string Name,
    string Regime,
    string Nature,
    long? Budget,
    IReadOnlyList<string> Perimeters,
    IReadOnlyList<StepResponse> Steps,
    IReadOnlyList<ActorResponse> Actors,
    IReadOnlyList<SubsidyResponse> Subsidies,
    IReadOnlyList<SourceResponse> Sources,
    IReadOnlyList<DeliverableResponse> Deliverables,
    string? CurrentStatus);

public sealed record ActorResponse(
    string Siren, string? Name, string? Contact, string Role, string? Phone, string? Email,
    decimal? FinancingPercent, decimal? FinancingEuros);

public sealed record SubsidyResponse(string Name, string Nature, decimal? Amount, string? Date);

public sealed record SourceResponse(string Kind, string Url);

public sealed record DeliverableResponse(
    Guid Id,
    string Name,
    string Nature,
    string Licence,
    string Diffusion,
    string? DiffusionUrl,
    string? DiffusionLayer,
    string? DeliveryDate,
    int? Progress,
    decimal? SideOverlap,
    decimal? ForwardOverlap,
    int? FocalLength,
    decimal? Cost,
    string? AcquisitionDate,
    string? AcceptanceDate,
    StorageResponse? Storage);

/// <summary>
/// A deliverable's storage as the public sees it. Connection details (host, port, path, url, username, password, tls)
/// are filled only when the owner made them public; otherwise they are null and omitted from the JSON.
/// </summary>
public sealed record StorageResponse
{
    public required string Type { get; init; }
    public required bool Public { get; init; }
    public required bool DownloadAllowed { get; init; }
    public string? Url { get; init; }
    public string? Host { get; init; }
    public int? Port { get; init; }
    public string? Path { get; init; }
    public string? Tls { get; init; }
    public string? Username { get; init; }
    public string? Password { get; init; }
    public ScanSummaryResponse? Scan { get; init; }

    /// <summary>Days between periodic rescans asked for in the declaration; null: the deployment's default (monthly).</summary>
    public int? RescanDays { get; init; }

    /// <summary>Fingerprints the owner declared as trusted (not secret: a certificate or host key is public); omitted when none.</summary>
    public IReadOnlyList<string>? Trust { get; init; }
}

public sealed record ScanSummaryResponse(
    string Status,
    DateTimeOffset? LastSuccessAt,
    string? LastError,
    string? Nature,
    string? Format,
    long? Tiles,
    int? Epsg,
    string? Projection,
    long? TotalBytes,
    IReadOnlyList<string>? Bands,
    long? FilesScanned,
    long? Errors,
    Problems.CodedError? LastErrorCode = null);
