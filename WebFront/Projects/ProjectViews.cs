using System.Globalization;
using Pcrs.Grains.Catalogue;
using Pcrs.Grains.Hosting.Secrets;
using Pcrs.Grains.Projects;
using Pcrs.Grains.Storage;
using Pcrs.WebFront.Model;
using Pcrs.WebFront.Scanning;

namespace Pcrs.WebFront.Projects;

/// <summary>Builds the public JSON of projects. The only place where a stored declaration becomes a response.</summary>
public static class ProjectViews
{
    public static string Date(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static ProjectResponse ToResponse(StoredProject project, IReadOnlyDictionary<Guid, DeclarationRow> declarations, IReadOnlyList<ScanView?> scans,
        ISecretProtector protector, DateOnly today)
    {
        var d = project.Document;
        var deliverables = project.Deliverables.Select((deliverable, i) => new DeliverableResponse(
            deliverable.Id,
            deliverable.Document.Name,
            deliverable.Document.Nature,
            deliverable.Document.Licence,
            deliverable.Document.Diffusion,
            deliverable.Document.DiffusionUrl,
            deliverable.Document.DiffusionLayer,
            deliverable.Document.DeliveryDate is { } date ? Date(date) : null,
            deliverable.Document.Progress,
            deliverable.Document.SideOverlap,
            deliverable.Document.ForwardOverlap,
            deliverable.Document.FocalLength,
            deliverable.Document.Cost,
            deliverable.Document.AcquisitionDate is { } acquired ? Date(acquired) : null,
            deliverable.Document.AcceptanceDate is { } accepted ? Date(accepted) : null,
            declarations.TryGetValue(deliverable.Id, out var storage) ? ToStorageResponse(storage, i < scans.Count ? scans[i] : null, protector) : null)).ToList();
        return new ProjectResponse(
            project.Id, d.Name, d.Regime, d.Nature, d.Budget, d.Perimeters,
            d.Steps.Select(s => new StepResponse(s.Status, Date(s.StartDate))).ToList(),
            d.Actors.Select(a => new ActorResponse(a.Siren, a.Name, a.Contact, a.Role, a.Phone, a.Email, a.FinancingPercent, a.FinancingEuros)).ToList(),
            d.Subsidies.Select(s => new SubsidyResponse(s.Name, s.Nature, s.Amount, s.Date is { } date ? Date(date) : null)).ToList(),
            d.Sources.Select(s => new SourceResponse(s.Kind, s.Url)).ToList(),
            deliverables,
            d.CurrentStatus(today));
    }

    /// <summary>
    /// Connection details only when the owner made them public (the platform's promise for mass download); the password
    /// is decrypted here and nowhere else on a response path.
    /// </summary>
    public static StorageResponse ToStorageResponse(DeclarationRow storage, ScanView? scan, ISecretProtector protector)
    {
        var kind = DeclaredStorages.Kind(storage);
        var response = new StorageResponse
        {
            Type = kind,
            Public = storage.PublicConnection,
            DownloadAllowed = storage.DownloadAllowed,
            Scan = scan is null ? null : ToScanSummary(scan),
            RescanDays = storage.RescanDays,
            Trust = storage.TrustPins.Count > 0 ? storage.TrustPins : null,
        };
        if (!storage.PublicConnection)
            return response;
        var location = DeclaredStorages.Location(storage);
        string? password = storage.ProtectedSecret is { } secret ? protector.Unprotect(secret) : null;
        return kind == "http"
            ? response with { Url = HttpUrl(location), Username = storage.UserName, Password = password }
            : response with
            {
                Host = location.Host,
                Port = location.Port,
                Path = storage.StartPath,
                Tls = DeclaredStorages.Tls(storage),
                Username = storage.UserName,
                Password = password,
            };
    }

    public static ScanSummaryResponse ToScanSummary(ScanView scan) => new(
        ScanStatusText.ToText(scan.Status), scan.LastSuccessAt, scan.LastError,
        scan.Summary?.Nature, scan.Summary?.Format, scan.Summary?.Tiles, scan.Summary?.Epsg, scan.Summary?.Projection,
        scan.Summary?.TotalBytes, scan.Summary?.Bands, scan.Summary?.FilesScanned, scan.Summary?.Errors,
        Problems.ErrorSentences.Identify(scan.LastError));

    /// <summary>The http(s) URL of a path on an HTTP storage, each segment percent-encoded.</summary>
    public static string HttpUrl(StorageLocation location, string? path = null)
    {
        var scheme = location.Protocol == StorageProtocol.Https ? "https" : "http";
        var host = location.Host.Contains(':') ? $"[{location.Host}]" : location.Host;
        bool defaultPort = location.Port == StorageLocation.DefaultPort(location.Protocol);
        var target = path ?? location.Path;
        var encoded = string.Join('/', target.Split('/').Select(Uri.EscapeDataString));
        // A folder URL keeps its trailing slash: listings are fetched from "…/dalles/".
        if (path is null && !encoded.EndsWith('/'))
            encoded += "/";
        return $"{scheme}://{host}{(defaultPort ? "" : ":" + location.Port.ToString(CultureInfo.InvariantCulture))}{encoded}";
    }
}
