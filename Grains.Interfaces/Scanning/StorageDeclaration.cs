namespace Pcrs.Grains.Interfaces.Scanning;

/// <summary>
/// Everything a deliverable declares about its storage, in one message to the StorageGrain (the declaration's only
/// writer): where it is (protocol scheme as in storage URLs: "http", "https", "ftp", "ftpes", "ftps", "sftp", "file"; the
/// scheme carries the TLS mode), the start path under which its data sits, the login, the password as cipher text of the
/// deployment's key ring (never the plain text: it would cross the silo wire), the certificate or SSH host-key
/// fingerprints the owner trusts ("SHA256:base64"; null keeps the declaration's current pins), the rescan period in days
/// (null: the deployment's default), and the two access flags. The declaration is proven (a login with exactly these
/// credentials, TLS mode and pins) before it joins the storage.
/// </summary>
[GenerateSerializer, Immutable, Alias("pcrs.StorageDeclaration")]
public sealed record StorageDeclaration(
    [property: Id(0)] string DeliverableId,
    [property: Id(1)] string Scheme,
    [property: Id(2)] string Host,
    [property: Id(3)] int Port,
    [property: Id(4)] string StartPath,
    [property: Id(5)] string? UserName,
    [property: Id(10)] string? ProtectedPassword,
    [property: Id(7)] bool PublicConnection,
    [property: Id(8)] bool DownloadAllowed,
    [property: Id(9)] string[]? TrustPins = null,
    [property: Id(11)] int? RescanDays = null)
{
    // Id 6 held the plain-text password of earlier versions: never reused.

    public override string ToString() =>
        $"StorageDeclaration {{ DeliverableId = {DeliverableId}, Scheme = {Scheme}, Host = {Host}, Port = {Port}, StartPath = {StartPath}, " +
        $"UserName = {UserName ?? "(none)"}, Password = {(ProtectedPassword is null ? "(none)" : "(encrypted)")}, PublicConnection = {PublicConnection}, " +
        $"DownloadAllowed = {DownloadAllowed}, TrustPins = {(TrustPins is null ? "(unchanged)" : string.Join(", ", TrustPins))}, RescanDays = {RescanDays?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "(default)"} }}";
}

/// <summary>
/// A deliverable's declaration as the public site may show it (no password): the storage, the start path, the flags,
/// and whether its credentials are proven.
/// </summary>
[GenerateSerializer, Immutable, Alias("pcrs.StorageAttachment")]
public sealed record StorageAttachment(
    [property: Id(0)] string DeliverableId,
    [property: Id(1)] string StorageKey,
    [property: Id(2)] string Scheme,
    [property: Id(3)] string Host,
    [property: Id(4)] int Port,
    [property: Id(5)] string? UserName,
    [property: Id(6)] string StartPath,
    [property: Id(7)] bool PublicConnection,
    [property: Id(8)] bool DownloadAllowed,
    [property: Id(9)] DeclarationState State = DeclarationState.Proven);
