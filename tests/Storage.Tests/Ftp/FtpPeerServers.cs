using System.Security.Cryptography.X509Certificates;
using Pcrs.Grains.Storage;
using Pcrs.Grains.Storage.Ftp;
using Pcrs.TestSupport;

namespace Pcrs.Storage.Tests.Ftp;

/// <summary>The real FTP servers of tests/peers and how to build a client for each.</summary>
internal static class FtpPeerServers
{
    /// <summary>Server names used as theory data.</summary>
    public const string VsftpdPlain = "vsftpd ftp";
    public const string VsftpdReuse = "vsftpd ftpes reuse=YES";
    public const string VsftpdNoReuse = "vsftpd ftpes reuse=NO";
    public const string VsftpdImplicit = "vsftpd ftps implicit";
    public const string PureFtpd = "pure-ftpd ftp";
    public const string PureFtpdTls = "pure-ftpd ftpes";
    public const string Proftpd = "proftpd ftp";

    public static TheoryData<string> All => [VsftpdPlain, VsftpdReuse, VsftpdNoReuse, VsftpdImplicit, PureFtpd, PureFtpdTls, Proftpd];

    public static StorageLocation Location(string server) => server switch
    {
        VsftpdPlain => Url("ftp", Peers.VsftpdFtp),
        VsftpdReuse => Url("ftpes", Peers.VsftpdFtpsReuse),
        VsftpdNoReuse => Url("ftpes", Peers.VsftpdFtpsNoReuse),
        VsftpdImplicit => Url("ftps", Peers.VsftpdImplicit),
        PureFtpd => Url("ftp", Peers.PureFtpd),
        PureFtpdTls => Url("ftpes", Peers.PureFtpd),
        Proftpd => Url("ftp", Peers.Proftpd),
        _ => throw new ArgumentOutOfRangeException(nameof(server)),
    };

    /// <summary>vsftpd hides dot files from LIST; pure-ftpd and proftpd show them in MLSD (peers.md).</summary>
    public static bool ShowsDotFiles(string server) => server.StartsWith("pure-ftpd", StringComparison.Ordinal) || server.StartsWith("proftpd", StringComparison.Ordinal);

    /// <summary>vsftpd has no MLSD: LIST times are to the minute (and to the day for old files).</summary>
    public static bool ExactTimes(string server) => !server.StartsWith("vsftpd", StringComparison.Ordinal);

    /// <summary>The peers' self-signed certificate, pinned by fingerprint as an administrator would.</summary>
    public static string CertificateFingerprint()
    {
        using var cert = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(Peers.Dir, "conf", "cert.pem")));
        return FtpTlsSession.Fingerprint(cert);
    }

    public static StorageTrust PinnedTrust() => new(false, [CertificateFingerprint()], null);

    public static FtpStorageClient Client(string server, IConnectionLimiter? limiter = null, StorageTrust? trust = null,
        StorageCredentials? credentials = null, IAddressGuard? guard = null, StorageAccessOptions? options = null) =>
        Client(Location(server), limiter, trust, credentials, guard, options);

    public static FtpStorageClient Client(StorageLocation location, IConnectionLimiter? limiter = null, StorageTrust? trust = null,
        StorageCredentials? credentials = null, IAddressGuard? guard = null, StorageAccessOptions? options = null,
        FtpClientSettings? settings = null) =>
        new(location, credentials ?? new StorageCredentials(Peers.User, Peers.Password), limiter ?? new TestConnectionLimiter(4),
            trust ?? PinnedTrust(), guard ?? new LoopbackOnlyGuard(),
            options ?? new StorageAccessOptions { ConnectTimeout = TimeSpan.FromSeconds(10), OperationTimeout = TimeSpan.FromSeconds(20) },
            new TestOutputLogger(),
            settings ?? FtpClientSettings.Default with { Retry = StorageRetryPolicy.Default with { FirstDelay = TimeSpan.FromMilliseconds(50) } });

    private static StorageLocation Url(string scheme, int port) => StorageLocation.Parse($"{scheme}://{Peers.Host}:{port}/", out _);
}
