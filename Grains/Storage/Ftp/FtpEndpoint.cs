using Microsoft.Extensions.Logging;

namespace Pcrs.Grains.Storage.Ftp;

/// <summary>Everything a connection needs to reach and log in to one FTP server; shared by all connections of a client.</summary>
internal sealed record FtpEndpoint(
    StorageLocation Location,
    StorageCredentials Credentials,
    StorageTrust Trust,
    IAddressGuard Guard,
    StorageAccessOptions Options,
    FtpClientSettings Settings,
    FtpServerTraits Traits,
    ILogger Logger)
{
    public string Host => Location.Host;
    public int Port => Location.Port;
    public bool ImplicitTls => Location.Protocol == StorageProtocol.FtpImplicitTls;
    public bool ExplicitTls => Location.Protocol == StorageProtocol.FtpExplicitTls;

    /// <summary>"ftpes://host:port", for messages (never a password).</summary>
    public string Display => $"{StorageLocation.ProtocolScheme(Location.Protocol)}://{Host}:{Port}";
}
