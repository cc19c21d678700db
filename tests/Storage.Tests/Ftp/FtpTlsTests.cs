using Pcrs.Grains.Storage;
using Pcrs.TestSupport;

namespace Pcrs.Storage.Tests.Ftp;

/// <summary>FTPS against the real vsftpd and pure-ftpd: trust decisions, TLS required, session reuse under parallel load.</summary>
public sealed class FtpTlsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(FtpPeerServers.VsftpdReuse)]
    [InlineData(FtpPeerServers.VsftpdImplicit)]
    public async Task An_unknown_certificate_is_refused_with_its_fingerprint(string server)
    {
        await using var client = FtpPeerServers.Client(server, trust: StorageTrust.Default);
        var error = await Assert.ThrowsAsync<StorageException>(async () => await client.ListAsync("/", Ct).ToListAsync(Ct));
        Assert.Equal(StorageErrorKind.Trust, error.Kind);
        Assert.Contains(FtpPeerServers.CertificateFingerprint(), error.Message);
    }

    [Fact]
    public async Task Accept_unknown_trusts_the_self_signed_certificate()
    {
        await using var client = FtpPeerServers.Client(FtpPeerServers.VsftpdNoReuse, trust: new StorageTrust(true, [], null));
        Assert.NotEmpty(await client.ListAsync("/fixtures", Ct).ToListAsync(Ct));
    }

    [Fact]
    public async Task Explicit_tls_is_required_never_downgraded()
    {
        // vsftpd on 2121 has no TLS: an ftpes:// storage must not log in there in clear.
        var location = StorageLocation.Parse($"ftpes://{Peers.Host}:{Peers.VsftpdFtp}/", out _);
        await using var client = FtpPeerServers.Client(location);
        var error = await Assert.ThrowsAsync<StorageException>(async () => await client.ListAsync("/", Ct).ToListAsync(Ct));
        Assert.Equal(StorageErrorKind.Trust, error.Kind);
        Assert.Contains("AUTH TLS", error.Message);
    }

    [Fact]
    public async Task Plain_ftp_to_a_tls_only_server_is_an_authentication_error()
    {
        var location = StorageLocation.Parse($"ftp://{Peers.Host}:{Peers.VsftpdFtpsReuse}/", out _);
        await using var client = FtpPeerServers.Client(location);
        var error = await Assert.ThrowsAsync<StorageException>(async () => await client.ListAsync("/", Ct).ToListAsync(Ct));
        Assert.Equal(StorageErrorKind.Authentication, error.Kind);
    }

    [Fact]
    public async Task Plain_ftp_to_an_implicit_tls_port_fails_at_once_naming_ftps()
    {
        // vsftpd with implicit_ssl waits for a TLS ClientHello and sends no greeting: that silence is recognised after
        // the greeting timeout and not retried (before: three connect timeouts, 63 s, "made no progress").
        var location = StorageLocation.Parse($"ftp://{Peers.Host}:{Peers.VsftpdImplicit}/", out _);
        await using var client = FtpPeerServers.Client(location);
        var error = await Assert.ThrowsAsync<StorageException>(async () => await client.ListAsync("/", Ct).ToListAsync(Ct));
        Assert.Equal(StorageErrorKind.Protocol, error.Kind);
        Assert.Contains("no FTP greeting", error.Message);
        Assert.Contains("ftps://", error.Message);
    }

    [Fact]
    public async Task Ftp_to_an_ssh_port_says_it_looks_like_ssh()
    {
        var location = StorageLocation.Parse($"ftp://{Peers.Host}:{Peers.Sftp}/", out _);
        await using var client = FtpPeerServers.Client(location);
        var error = await Assert.ThrowsAsync<StorageException>(async () => await client.ListAsync("/", Ct).ToListAsync(Ct));
        Assert.Equal(StorageErrorKind.Protocol, error.Kind);
        Assert.Contains("sftp://", error.Message);
    }

    [Fact]
    public async Task Session_reuse_holds_with_parallel_sessions_to_several_tls_daemons_on_one_host()
    {
        // Three vsftpd daemons on 127.0.0.1 (reuse required on one): each control connection has its own TLS cache entry,
        // so no session's data connection ever offers another daemon's ticket (which vsftpd would refuse with 522).
        var servers = new[] { FtpPeerServers.VsftpdReuse, FtpPeerServers.VsftpdNoReuse, FtpPeerServers.VsftpdImplicit, FtpPeerServers.VsftpdReuse };
        var clients = servers.Select(s => FtpPeerServers.Client(s)).ToList();
        try
        {
            await Parallel.ForEachAsync(Enumerable.Range(0, 24), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = Ct }, async (i, ct) =>
            {
                var client = clients[i % clients.Count];
                var entries = await client.ListAsync("/fixtures", ct).ToListAsync(ct);
                Assert.Contains(entries, e => e.Name == "l93_rgb_tiled_lzw.tif");
                var buffer = new byte[4];
                await client.ReadRangeAsync("/fixtures/l93_rgb_tiled_lzw.tif", 0, buffer, ct);
                Assert.Equal("II*\0"u8.ToArray(), buffer);
            });
        }
        finally
        {
            foreach (var client in clients)
                await client.DisposeAsync();
        }
    }
}
