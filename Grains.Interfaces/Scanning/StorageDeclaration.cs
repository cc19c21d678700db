namespace Pcrs.Grains.Interfaces.Scanning;

/// <summary>
/// A deliverable's declaration of its storage: where it is (protocol scheme as in storage URLs: "http", "https", "ftp",
/// "ftpes", "ftps", "sftp", "file"), the start path under which its data sits, the login, and the two access flags.
/// The StorageGrain encrypts the password as soon as it receives it and never logs or returns it; <see cref="ToString"/>
/// masks it so it cannot leak through a log line either. <see cref="TrustPins"/>: certificate or SSH host-key fingerprints
/// ("SHA256:base64") the owner trusts (a self-signed FTPS certificate); null keeps the storage's current pins.
/// </summary>
[GenerateSerializer, Immutable, Alias("pcrs.StorageDeclaration")]
public sealed record StorageDeclaration(
    [property: Id(0)] string DeliverableId,
    [property: Id(1)] string Scheme,
    [property: Id(2)] string Host,
    [property: Id(3)] int Port,
    [property: Id(4)] string StartPath,
    [property: Id(5)] string? UserName,
    [property: Id(6)] string? Password,
    [property: Id(7)] bool PublicConnection,
    [property: Id(8)] bool DownloadAllowed,
    [property: Id(9)] string[]? TrustPins = null)
{
    public override string ToString() =>
        $"StorageDeclaration {{ DeliverableId = {DeliverableId}, Scheme = {Scheme}, Host = {Host}, Port = {Port}, StartPath = {StartPath}, " +
        $"UserName = {UserName ?? "(none)"}, Password = {(Password is null ? "(none)" : "***")}, PublicConnection = {PublicConnection}, DownloadAllowed = {DownloadAllowed}, " +
        $"TrustPins = {(TrustPins is null ? "(unchanged)" : string.Join(", ", TrustPins))} }}";
}

/// <summary>
/// A deliverable's attachment to a storage as the StorageGrain and the catalogue keep it (no password).
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
    [property: Id(8)] bool DownloadAllowed);
