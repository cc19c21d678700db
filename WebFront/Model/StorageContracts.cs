using Pcrs.Grains.Interfaces.Scanning;
namespace Pcrs.WebFront.Model;

/// <summary>
/// PUT …/storage body. "http" uses <see cref="Url"/>; "ftp" and "sftp" use host, port and path. The password is
/// write-only: it is encrypted before it is stored and never returned unless <see cref="PublicConnection"/> is true.
/// <see cref="Trust"/>: fingerprints "SHA256:base64" of a certificate (https, FTPS) or SSH host key to accept, e.g. a
/// self-signed FTPS certificate (a scan refused for an untrusted certificate names its fingerprint); absent: unchanged.
/// </summary>
public sealed record StorageRequest(
    string? Type,
    string? Url,
    string? Host,
    int? Port,
    string? Path,
    string? Username,
    string? Password,
    string? Tls,
    bool? PublicConnection,
    bool? DownloadAllowed,
    int? RescanDays = null,
    IReadOnlyList<string>? Trust = null);

/// <summary>202 answer of PUT …/storage and POST …/scan.</summary>
public sealed record ScanQueued(string Status, string Scan);

public sealed record ScanStateResponse(
    string Status,
    ScanProgress Progress,
    DateTimeOffset? LastSuccessAt,
    string? LastError,
    Problems.CodedError? LastErrorCode = null);

