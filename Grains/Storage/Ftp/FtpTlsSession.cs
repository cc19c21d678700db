using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Pcrs.Grains.Storage.Ftp;

/// <summary>
/// The TLS settings of one FTPS control connection and of all its data connections.
/// <para>
/// Servers such as vsftpd (require_ssl_reuse=YES, its default) refuse a data connection whose TLS session does not resume
/// the control connection's. .NET on Linux resumes client sessions from a process-wide cache keyed by (TargetHost,
/// protocols, client certificate), and only when TargetHost is a DNS-style name (never an IP literal). So each control
/// connection gets its own made-up name, used for the control handshake and every data handshake of that session: equal
/// names make the data connection offer the control session's ticket, and distinct names per session keep another
/// session's handshake (another daemon on the same host, a restarted server) from replacing that cache entry. The
/// protocols stay at the system default, and no client-certificate selection callback is set, since either would change
/// the cache key or turn caching off.
/// </para>
/// <para>
/// Because the name is made up, the server's certificate is checked here against the real host name: chain trusted by
/// the system and names the host, or its SHA-256 fingerprint pinned, or the storage's trust accepts unknown certificates.
/// </para>
/// </summary>
internal sealed class FtpTlsSession
{
    private static long s_sessions;

    private readonly string _host;
    private readonly StorageTrust _trust;

    public FtpTlsSession(string host, StorageTrust trust)
    {
        _host = host;
        _trust = trust;
        long n = Interlocked.Increment(ref s_sessions);
        Options = new SslClientAuthenticationOptions
        {
            TargetHost = $"s{n}-{Random.Shared.Next():x8}.ftps.invalid",
            EnabledSslProtocols = SslProtocols.None,
            AllowTlsResume = true,
            RemoteCertificateValidationCallback = Validate,
        };
    }

    /// <summary>One options object for the control handshake and every data handshake of this session.</summary>
    public SslClientAuthenticationOptions Options { get; }

    /// <summary>Why the last certificate was refused (with its fingerprint), for the error message.</summary>
    public string? RejectionReason { get; private set; }

    public async Task<SslStream> AuthenticateAsync(Stream inner, CancellationToken cancellationToken)
    {
        var ssl = new SslStream(inner, leaveInnerStreamOpen: false);
        try
        {
            await ssl.AuthenticateAsClientAsync(Options, cancellationToken).ConfigureAwait(false);
            return ssl;
        }
        catch (AuthenticationException ex)
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw RejectionReason is not null
                ? new StorageException(StorageErrorKind.Trust, RejectionReason, ex)
                : new StorageException(StorageErrorKind.Protocol, $"The TLS handshake with the FTPS server {_host} failed: {ex.Message}", ex);
        }
        catch
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public static string Fingerprint(X509Certificate certificate) =>
        "SHA256:" + Convert.ToBase64String(SHA256.HashData(certificate.GetRawCertData())).TrimEnd('=');

    private bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null)
        {
            RejectionReason = $"The FTPS server {_host} presented no certificate.";
            return false;
        }
        string fingerprint = Fingerprint(certificate);
        if (_trust.AcceptUnknown || _trust.PinnedFingerprints.Any(p => SameFingerprint(p, fingerprint)))
            return true;

        // The name mismatch is expected (TargetHost is made up, see above): the real host is checked below instead.
        var chainErrors = errors & ~SslPolicyErrors.RemoteCertificateNameMismatch;
        string? problem = null;
        if (chainErrors != SslPolicyErrors.None)
            problem = chain?.ChainStatus.Length > 0 ? "not trusted: " + string.Join(", ", chain.ChainStatus.Select(s => s.Status)) : "not trusted: " + chainErrors;
        else if (!(certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData())).MatchesHostname(_host))
            problem = $"issued for another name than {_host}";
        if (problem is null)
            return true;
        RejectionReason = $"The FTPS server {_host} presented a certificate that is {problem}. Its fingerprint is {fingerprint}; " +
            "trust it explicitly (pin that fingerprint) only if it is the expected server.";
        return false;
    }

    private static bool SameFingerprint(string pinned, string actual) =>
        string.Equals(pinned.Trim().TrimEnd('='), actual, StringComparison.Ordinal);
}
