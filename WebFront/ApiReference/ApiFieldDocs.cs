using Pcrs.Grains.Catalogue;
using Pcrs.WebFront.Model;
using Pcrs.WebFront.Validation;

namespace Pcrs.WebFront.ApiReference;

/// <summary>What the OpenAPI document says about one JSON field: its meaning, the values allowed (the validators' own lists).</summary>
/// <param name="Description">One sentence for the API reference.</param>
/// <param name="Allowed">The values the validator accepts (lower case), or null for free values.</param>
/// <param name="Required">The validator refuses the body without it (null included).</param>
/// <param name="WriteOnly">Sent, never returned (the password).</param>
public sealed record ApiFieldDoc(string Description, IReadOnlyList<string>? Allowed = null, bool Required = false, bool WriteOnly = false);

/// <summary>
/// Descriptions, allowed values and required fields of the request bodies, per type and JSON name. The allowed values are the
/// arrays of <see cref="ProjectVocabulary"/> the validators use, so the document cannot drift from what is accepted.
/// </summary>
public static class ApiFieldDocs
{
    /// <summary>Descriptions of the request and main response types themselves.</summary>
    public static readonly IReadOnlyDictionary<Type, string> Types = new Dictionary<Type, string>
    {
        [typeof(ProjectRequest)] = "A PCRS project (the platform's data model v0.6). Unknown fields are refused (400 naming them).",
        [typeof(StepRequest)] = "A step of the project's life; dates never decrease from one step to the next.",
        [typeof(ActorRequest)] = "An organisation taking part in the project, identified by its SIREN.",
        [typeof(SubsidyRequest)] = "A public subsidy of the project.",
        [typeof(SourceRequest)] = "A document about the project (specification, report…).",
        [typeof(DeliverableRequest)] = "A deliverable of the project; its storage is declared separately (PUT …/deliverables/{did}/storage).",
        [typeof(StorageRequest)] = "Where a deliverable's files are: an HTTP listing (url), or an FTP/FTPS or SFTP server (host, port, path, login). Unknown fields are refused (400 naming them).",
        [typeof(ScanningRequest)] = "Pause or resume the scanning of every storage.",
        [typeof(StorageOperationsRequest)] = "An administrator's settings of one storage; each field replaces the stored one.",
        [typeof(ProjectCreated)] = "The new project's id, its editor key (shown this once; only its hash is kept) and its deliverables' ids in the order sent.",
        [typeof(ScanQueued)] = "The declaration or scan request was accepted; follow the scan at the given path.",
        [typeof(ScanStateResponse)] = "The scan of the deliverable's own start path.",
        [typeof(Import.ImportLine)] = "One line of a bulk import: a new project and the storages of its deliverables, in the same order.",
        [typeof(Import.ImportReport)] = "The outcome of a bulk import, one result per line in order.",
        [typeof(Import.ImportLineResult)] = "One line's outcome: imported (new ids, editor key shown this once) or refused (nothing of the line written).",
    };

    private static readonly string[] ScanStatuses = ["verifying", "queued", "listing", "analysing", "succeeded", "partial", "failed"];

    /// <summary>Field documentation by declaring type and JSON (camelCase) name.</summary>
    public static readonly IReadOnlyDictionary<(Type Type, string Field), ApiFieldDoc> Fields = new Dictionary<(Type, string), ApiFieldDoc>
    {
        [(typeof(ProjectRequest), "name")] = new("Name of the project, at most 200 characters.", Required: true),
        [(typeof(ProjectRequest), "regime")] = new("production: a first PCRS; maj: an update; anticipation: planned.", ProjectVocabulary.Regimes, Required: true),
        [(typeof(ProjectRequest), "nature")] = new("vecteur, raster, or mixte when the project delivers both.", ProjectVocabulary.ProjectNatures, Required: true),
        [(typeof(ProjectRequest), "budget")] = new("Total budget in euros, or null."),
        [(typeof(ProjectRequest), "perimeters")] = new("The territory: commune:<5-character INSEE code>, epci:<9-digit SIREN> or departement:<code>; at least one, at most 5000.", Required: true),
        [(typeof(ProjectRequest), "steps")] = new("The project's steps in order; the latest one already started is the current status."),
        [(typeof(ProjectRequest), "actors")] = new("Organisations taking part."),
        [(typeof(ProjectRequest), "subsidies")] = new("Public subsidies."),
        [(typeof(ProjectRequest), "sources")] = new("Documents about the project."),
        [(typeof(ProjectRequest), "deliverables")] = new("Deliverables. On update, an existing one keeps its id; one left out is removed with its storage declaration."),

        [(typeof(StepRequest), "status")] = new("Step of the platform's lifecycle, in this order.", ProjectVocabulary.StepStatuses, Required: true),
        [(typeof(StepRequest), "startDate")] = new("Day the step started, written YYYY-MM-DD.", Required: true),

        [(typeof(ActorRequest), "siren")] = new("SIREN of the organisation: 9 digits (spaces are ignored).", Required: true),
        [(typeof(ActorRequest), "name")] = new("Name of the organisation, at most 200 characters."),
        [(typeof(ActorRequest), "contact")] = new("A person to contact, at most 200 characters."),
        [(typeof(ActorRequest), "role")] = new("Role in the project (aplc: local authority producing the PCRS; presta_*: contractors).", ProjectVocabulary.ActorRoles, Required: true),
        [(typeof(ActorRequest), "phone")] = new("French phone number: 0X XX XX XX XX or +33XXXXXXXXX."),
        [(typeof(ActorRequest), "email")] = new("E-mail address."),
        [(typeof(ActorRequest), "financingPercent")] = new("Share of the financing, 0 to 100."),
        [(typeof(ActorRequest), "financingEuros")] = new("Financing in euros, not negative."),

        [(typeof(SubsidyRequest), "name")] = new("Name of the subsidy.", Required: true),
        [(typeof(SubsidyRequest), "nature")] = new("Kind of subsidy (cepr is read as cper).", ProjectVocabulary.SubsidyNatures, Required: true),
        [(typeof(SubsidyRequest), "amount")] = new("Amount in euros, not negative."),
        [(typeof(SubsidyRequest), "date")] = new("Date of the decision, YYYY-MM-DD."),

        [(typeof(SourceRequest), "kind")] = new("What the document is (free text, at most 50 characters).", Required: true),
        [(typeof(SourceRequest), "url")] = new("Absolute http or https URL of the document.", Required: true),

        [(typeof(DeliverableRequest), "id")] = new("Id given by the server (on update), or null for a new deliverable."),
        [(typeof(DeliverableRequest), "name")] = new("Name of the deliverable, at most 200 characters.", Required: true),
        [(typeof(DeliverableRequest), "nature")] = new("File format of the deliverable.", ProjectVocabulary.DeliverableNatures, Required: true),
        [(typeof(DeliverableRequest), "licence")] = new("ouvert_lo: Licence Ouverte; ouvert_odbl: ODbL; ferme: not open.", ProjectVocabulary.Licences, Required: true),
        [(typeof(DeliverableRequest), "diffusion")] = new("Web service that publishes it; none (the default) when none does.", ProjectVocabulary.Diffusions),
        [(typeof(DeliverableRequest), "diffusionUrl")] = new("URL of the web service; given together with diffusionLayer."),
        [(typeof(DeliverableRequest), "diffusionLayer")] = new("Layer name in the web service; given together with diffusionUrl."),
        [(typeof(DeliverableRequest), "deliveryDate")] = new("Day of delivery, YYYY-MM-DD."),
        [(typeof(DeliverableRequest), "progress")] = new("Progress of production in percent, 0 to 100."),
        [(typeof(DeliverableRequest), "sideOverlap")] = new("Side overlap of the aerial photographs in percent, 0 to 100 (the platform's recouvr_lat)."),
        [(typeof(DeliverableRequest), "forwardOverlap")] = new("Forward overlap of the aerial photographs in percent, 0 to 100 (the platform's recouvr_lon)."),
        [(typeof(DeliverableRequest), "focalLength")] = new("Focal length of the camera in whole millimetres, 1 to 10000 (the platform's focale)."),
        [(typeof(DeliverableRequest), "cost")] = new("Cost of the deliverable in euros (the platform's cout)."),
        [(typeof(DeliverableRequest), "acquisitionDate")] = new("Day the photographs were taken, YYYY-MM-DD (the first day when the flights took several): the tiles' RasterPCRS dateAcquisition and the metadata record's temporal extent."),
        [(typeof(DeliverableRequest), "acceptanceDate")] = new("Day the deliverable was accepted after its checks, YYYY-MM-DD, on or after acquisitionDate: the tiles' RasterPCRS dateRecette."),

        [(typeof(StorageRequest), "type")] = new("http: a web server's directory listing (url); ftp: FTP, or FTPS with tls; sftp: SSH file transfer.", ProjectVocabulary.StorageTypes, Required: true),
        [(typeof(StorageRequest), "url")] = new("http only: absolute http:// or https:// URL of the folder (no login, query or fragment in it)."),
        [(typeof(StorageRequest), "host")] = new("ftp and sftp: host name or IP address. It must pass the deployment's address checks (Scanning:AllowedNetworks)."),
        [(typeof(StorageRequest), "port")] = new("ftp and sftp: port, 1 to 65535; default 21 (990 with implicit TLS) or 22."),
        [(typeof(StorageRequest), "path")] = new("ftp and sftp: absolute start folder on the server; default /."),
        [(typeof(StorageRequest), "username")] = new("Login; null for anonymous access."),
        [(typeof(StorageRequest), "password")] = new("Write-only: encrypted at rest, never returned unless publicConnection is true.", WriteOnly: true),
        [(typeof(StorageRequest), "tls")] = new("ftp only: none (plain FTP, the default), explicit (AUTH TLS) or implicit (TLS from the first byte, port 990).", ProjectVocabulary.FtpTls),
        [(typeof(StorageRequest), "publicConnection")] = new("Show the connection details (and password) to everyone; default false."),
        [(typeof(StorageRequest), "downloadAllowed")] = new("Let the public download the files through this service; default false."),
        [(typeof(StorageRequest), "rescanDays")] = new($"Days between periodic rescans, {StorageValidator.MinRescanDays} to {StorageValidator.MaxRescanDays}; null: the deployment's default (monthly)."),
        [(typeof(StorageRequest), "trust")] = new($"Certificate or SSH host key fingerprints to accept, SHA256:<base64> (at most {StorageValidator.MaxTrustPins}); absent: unchanged; [] removes them."),

        [(typeof(ScanQueued), "status")] = new("verifying while the declaration's login is being proven, queued once it joins the storage's scan, failed when refused.", ["verifying", "queued", "failed"]),
        [(typeof(ScanQueued), "scan")] = new("Path of the scan state (GET)."),
        [(typeof(ScanStateResponse), "status")] = new("verifying: login being proven; queued, listing, analysing: scan running; succeeded, partial (some branches failed), failed.", ScanStatuses),
        [(typeof(ScanStateResponse), "lastError")] = new("The server's reason of the last failure, or null."),
        [(typeof(ScanStateResponse), "lastErrorCode")] = new("lastError's stable code and variable parts ({code, args}; an arg is text or another {code, args}), or null when lastError is null or has no code."),
        [(typeof(ScanStateResponse), "lastSuccessAt")] = new("End of the last successful scan, or null."),
        [(typeof(Import.ImportLine), "project")] = new("The project, as for POST /api/projects (deliverables without ids)."),
        [(typeof(Import.ImportLine), "storages")] = new("storages[i] is declared on project.deliverables[i]; null or absent: no storage yet."),
        [(typeof(Import.ImportLineResult), "line")] = new("Line number in the CSV file (header: 1), or position in the JSON array (first: 1)."),
        [(typeof(Import.ImportLineResult), "status")] = new("imported or refused.", ["imported", "refused"]),
        [(typeof(Import.ImportLineResult), "problem")] = new("Why the line was refused (RFC 9457 problem details; errors name the fields, e.g. project.regime, storages[0].host)."),
        [(typeof(ScanningRequest), "paused")] = new("true: stop the running scans and start no other; false: scan again.", Required: true),
        [(typeof(StorageOperationsRequest), "paused")] = new("true: stop this storage's running scan and start no other; false or null: scan as usual."),
        [(typeof(StorageOperationsRequest), "maxConnections")] = new($"Connections to this storage across all silos, 1 to {StorageOperations.MaxConnectionLimit}; null: the deployment's Scanning:MaxConnectionsPerStorage."),
        [(typeof(StorageOperationsRequest), "rescanDays")] = new($"Days between periodic rescans, {StorageValidator.MinRescanDays} to {StorageValidator.MaxRescanDays}; null: the shortest period the declarations ask for."),
        [(typeof(ProjectCreated), "editorKey")] = new("Bearer token of the project's editors; shown this once, only its hash is kept."),
    };
}
