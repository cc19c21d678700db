using Pcrs.Grains.Catalogue;
using Pcrs.Grains.Storage;
using Pcrs.WebFront.Model;

namespace Pcrs.WebFront.Validation;

/// <summary>A storage declaration that passed validation: where it is, the login, and the access flags.</summary>
public sealed record ValidatedStorage(
    string Kind,
    StorageLocation Location,
    string? Tls,
    StorageCredentials Credentials,
    bool PublicConnection,
    bool DownloadAllowed,
    // The field that named the host ("url" for http, "host" otherwise), for address-check errors.
    string HostField,
    // Days between periodic rescans; null: the deployment's default.
    int? RescanDays = null,
    // Fingerprints to trust ("SHA256:base64"); null: keep the storage's current ones.
    IReadOnlyList<string>? Trust = null);

/// <summary>
/// Checks a storage body field by field (host syntax, port range, control characters in path and login, TLS mode).
/// The address checks (loopback, private, link-local… unless allowed) are the access layer's <see cref="IAddressGuard"/>,
/// applied by the caller after this succeeds.
/// </summary>
public static class StorageValidator
{
    // A day keeps a shared storage from being crawled in a loop; a year is the longest a published deliverable can go unseen.
    public const int MinRescanDays = 1;
    public const int MaxRescanDays = 365;

    public static ValidatedStorage? Validate(StorageRequest? request, ValidationErrors errors)
    {
        if (request is null)
        {
            errors.Add("body", "A JSON storage declaration is required.");
            return null;
        }
        var kind = FieldRules.OneOf(errors, "type", request.Type, ProjectVocabulary.StorageTypes);
        var username = Login(errors, "username", request.Username);
        var password = Login(errors, "password", request.Password);
        if (password is not null && username is null)
            errors.Add("username", "A password needs a user name.");
        bool isPublic = request.PublicConnection ?? false;
        bool download = request.DownloadAllowed ?? false;
        if (request.RescanDays is < MinRescanDays or > MaxRescanDays)
            errors.Add("rescanDays", $"The rescan period is given in days, from {MinRescanDays} to {MaxRescanDays}.");

        StorageLocation? location = null;
        string? tls = null;
        string hostField = "host";
        switch (kind)
        {
            case "http":
                hostField = "url";
                location = HttpLocation(request, username, errors);
                break;
            case "ftp":
                tls = FieldRules.OneOf(errors, "tls", request.Tls ?? "none", ProjectVocabulary.FtpTls);
                var protocol = tls switch
                {
                    "explicit" => StorageProtocol.FtpExplicitTls,
                    "implicit" => StorageProtocol.FtpImplicitTls,
                    _ => StorageProtocol.Ftp,
                };
                location = HostLocation(request, protocol, username, errors);
                break;
            case "sftp":
                if (request.Tls is not null)
                    errors.Add("tls", "TLS applies to FTP storages only.");
                location = HostLocation(request, StorageProtocol.Sftp, username, errors);
                break;
        }
        if (!errors.IsEmpty || location is null || kind is null)
            return null;
        var trust = TrustPins(request.Trust, location.Protocol, errors);
        if (!errors.IsEmpty)
            return null;
        return new ValidatedStorage(kind, location, tls, new StorageCredentials(username, password), isPublic, download, hostField,
            request.RescanDays, trust);
    }

    /// <summary>At most this many pins: a certificate being renewed needs two, a cluster of servers a few.</summary>
    public const int MaxTrustPins = 8;

    private static IReadOnlyList<string>? TrustPins(IReadOnlyList<string>? pins, StorageProtocol protocol, ValidationErrors errors)
    {
        if (pins is null)
            return null;
        if (pins.Count > 0 && protocol is StorageProtocol.Http or StorageProtocol.Ftp)
        {
            errors.Add("trust", "Fingerprints apply to storages with a certificate (https, FTP with TLS) or a host key (sftp).");
            return null;
        }
        if (pins.Count > MaxTrustPins)
        {
            errors.Add("trust", $"At most {MaxTrustPins} fingerprints.");
            return null;
        }
        var normalized = new List<string>(pins.Count);
        foreach (var pin in pins)
        {
            // SHA-256 is 32 bytes: 43 base64 characters without padding (as OpenSSH prints it), 44 with.
            var value = pin?.Trim().TrimEnd('=') ?? "";
            if (!value.StartsWith("SHA256:", StringComparison.Ordinal) || !IsSha256Base64(value["SHA256:".Length..]))
            {
                errors.Add("trust", $"'{FieldRules.Shorten(pin ?? "")}' is not a fingerprint of the form SHA256:<base64 of 32 bytes>.");
                return null;
            }
            normalized.Add(value);
        }
        return normalized.Distinct(StringComparer.Ordinal).ToList();
    }

    private static bool IsSha256Base64(string value)
    {
        Span<byte> bytes = stackalloc byte[33];
        return value.Length == 43 && Convert.TryFromBase64String(value + "=", bytes, out int written) && written == 32;
    }

    private static StorageLocation? HttpLocation(StorageRequest request, string? username, ValidationErrors errors)
    {
        if (request.Host is not null || request.Port is not null || request.Path is not null)
            errors.Add("url", "An http storage is given by its url only (no host, port or path).");
        if (string.IsNullOrWhiteSpace(request.Url))
        {
            errors.Add("url", "The URL of the folder (or of an ancestor) is required.");
            return null;
        }
        var url = request.Url.Trim();
        if (url.Length > CatalogueLimits.MaxUrlLength)
        {
            errors.Add("url", $"At most {CatalogueLimits.MaxUrlLength} characters.");
            return null;
        }
        if (FieldRules.HasControlCharacter(url))
        {
            errors.Add("url", "Control characters (CR, LF, NUL…) are not allowed.");
            return null;
        }
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            errors.Add("url", "An absolute http:// or https:// URL is expected.");
            return null;
        }
        if (uri.UserInfo.Length > 0)
        {
            errors.Add("url", "Give the login in username and password, not inside the URL.");
            return null;
        }
        if (uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            errors.Add("url", "The URL of a folder has no query or fragment.");
            return null;
        }
        if (Uri.CheckHostName(uri.IdnHost.Trim('[', ']')) == UriHostNameType.Unknown)
        {
            errors.Add("url", "The URL's host is not a valid host name or IP address.");
            return null;
        }
        try
        {
            var parsed = StorageLocation.Parse(url, out _);
            if (System.Text.Encoding.UTF8.GetByteCount(parsed.Path) > CatalogueLimits.MaxStartPathBytes)
            {
                errors.Add("url", $"The folder's path is longer than the {CatalogueLimits.MaxStartPathBytes} bytes (UTF-8, decoded) the catalogue can index.");
                return null;
            }
            return parsed with { UserName = username };
        }
        catch (StorageException e)
        {
            errors.Add("url", e.Message);
            return null;
        }
    }

    private static StorageLocation? HostLocation(StorageRequest request, StorageProtocol protocol, string? username, ValidationErrors errors)
    {
        if (request.Url is not null)
            errors.Add("url", "Only http storages have a url; give host, port and path.");
        var host = request.Host?.Trim();
        if (string.IsNullOrEmpty(host))
            errors.Add("host", "The host name or IP address is required.");
        else if (FieldRules.HasControlCharacter(host) || host.Length > 253
                 || Uri.CheckHostName(host.Trim('[', ']')) == UriHostNameType.Unknown)
            errors.Add("host", $"'{FieldRules.Shorten(host)}' is not a valid host name or IP address.");
        int port = request.Port ?? StorageLocation.DefaultPort(protocol);
        if (port is < 1 or > 65535)
            errors.Add("port", $"The port must be between 1 and 65535 (got {port}).");
        var path = string.IsNullOrWhiteSpace(request.Path) ? "/" : request.Path;
        string? normalized = null;
        if (!path.StartsWith('/'))
            errors.Add("path", "The path is absolute on the server and starts with '/'.");
        else if (path.Length > CatalogueLimits.MaxStartPathBytes || System.Text.Encoding.UTF8.GetByteCount(path) > CatalogueLimits.MaxStartPathBytes)
            errors.Add("path", $"At most {CatalogueLimits.MaxStartPathBytes} bytes (UTF-8).");
        else
        {
            try
            {
                normalized = StorageLocation.NormalizePath(path);
            }
            catch (StorageException e)
            {
                errors.Add("path", e.Message);
            }
        }
        if (!errors.IsEmpty || host is null || normalized is null)
            return null;
        return new StorageLocation(protocol, host.Trim('[', ']').ToLowerInvariant(), port, username, normalized);
    }

    /// <summary>User names and passwords travel in protocol commands: CR, LF and NUL would inject commands.</summary>
    private static string? Login(ValidationErrors errors, string field, string? value)
    {
        if (string.IsNullOrEmpty(value))
            return null;
        if (value.Length > 256)
        {
            errors.Add(field, "At most 256 characters.");
            return null;
        }
        if (FieldRules.HasControlCharacter(value))
        {
            errors.Add(field, "Control characters (CR, LF, NUL…) are not allowed.");
            return null;
        }
        return value;
    }
}
