using Pcrs.Grains.Interfaces.Scanning;
using Pcrs.Grains.Scanning;
using Pcrs.TestSupport;

namespace Pcrs.Cluster.Tests.Infrastructure;

/// <summary>Storage declarations of the test peers, as the web front would send them.</summary>
public static class Declarations
{
    public static StorageDeclaration Local(string deliverableId, string folder) =>
        new(deliverableId, "file", "", 0, folder, null, null, false, false);

    /// <summary>The peers' FTP account; the password encrypted with the cluster's key ring, as the web front sends it.</summary>
    public static StorageDeclaration Ftp(ScanCluster cluster, string deliverableId, string path) =>
        new(deliverableId, "ftp", Peers.Host, Peers.VsftpdFtp, path, Peers.User, cluster.Protect(Peers.Password), false, true);

    public static StorageDeclaration Http(string deliverableId, string path) =>
        new(deliverableId, "http", Peers.Host, Peers.Nginx, path.EndsWith('/') ? path : path + "/", null, null, true, true);

    public static StorageDeclaration Sftp(ScanCluster cluster, string deliverableId, string path) =>
        new(deliverableId, "sftp", Peers.Host, Peers.Sftp, path, Peers.User, cluster.Protect(Peers.Password), false, false);

    public static string KeyOf(StorageDeclaration declaration) => StorageGrain.LocationOf(declaration).IdentityKey;
}
