using Pcrs.Grains.Catalogue;
using Pcrs.Grains.Storage;

namespace Pcrs.WebFront.Projects;

/// <summary>
/// A storage declaration (owned by the scanner, read through <see cref="ICatalogueReader"/>) in the web API's terms:
/// "type" and "tls" from its scheme, its location. The one place where a declaration's scheme becomes those fields.
/// </summary>
public static class DeclaredStorages
{
    /// <summary>"http", "ftp" or "sftp" (the body's "type").</summary>
    public static string Kind(DeclarationRow declaration) => declaration.Scheme switch
    {
        "http" or "https" => "http",
        "ftp" or "ftpes" or "ftps" => "ftp",
        _ => declaration.Scheme,
    };

    /// <summary>FTP only: "none", "explicit" or "implicit".</summary>
    public static string? Tls(DeclarationRow declaration) => declaration.Scheme switch
    {
        "ftp" => "none",
        "ftpes" => "explicit",
        "ftps" => "implicit",
        _ => null,
    };

    /// <summary>The declared folder as a storage location (no password).</summary>
    public static StorageLocation Location(DeclarationRow declaration)
    {
        string host = declaration.Host.Contains(':') ? $"[{declaration.Host}]" : declaration.Host;
        return StorageLocation.Parse($"{declaration.Scheme}://{host}:{declaration.Port}/", out _) with
        {
            UserName = declaration.UserName,
            Path = declaration.StartPath,
        };
    }

    /// <summary>The declarations of some deliverables by id (absent ones left out).</summary>
    public static async Task<Dictionary<Guid, DeclarationRow>> ByDeliverableAsync(
        ICatalogueReader catalogue, IEnumerable<Guid> deliverableIds, CancellationToken cancellationToken)
    {
        var rows = await catalogue.GetDeclarationsAsync(deliverableIds.Select(id => id.ToString()).ToList(), cancellationToken);
        return rows.ToDictionary(row => Guid.Parse(row.DeliverableId));
    }
}
