using Pcrs.Grains.Storage;
using Pcrs.Grains.Storage.Security;
using Pcrs.Storage.Tests.Http;
using Pcrs.TestSupport;

namespace Pcrs.Storage.Tests;

/// <summary>
/// Every protocol lists the same fixture tree and reads the same bytes as file://, through the client factory.
/// Documented differences: vsftpd, nginx and lighttpd hide dot files; Apache, lighttpd, webfs, Caddy and nginx with
/// autoindex_exact_size off print rounded sizes, Python's http.server none (the listing says so: SizeIsExact); mini_httpd
/// links directories without '/', and mini_httpd and Python's http.server ignore Range.
/// Runs alone (not in parallel with other classes): tests of the protocol clients count the connections to their server
/// at kernel level, and this test's connections to the same servers would be counted too.
/// </summary>
[Collection(nameof(CrossProtocolTests))]
public sealed class CrossProtocolTests
{
    private static readonly string[] SampleFiles =
    [
        "tree/special/Dalle 0652 6863 été & co #1 (copie) 100%.tif",
        "tree/L93/2024/D092/deep/er/still/0652_6863.jp2",
        "fixtures/l93_rgb_tiled_lzw_ifd_at_end.tif",
    ];

    public static TheoryData<string, string, bool> Endpoints => new()
    {
        // name, storage URL of the data root, lists dot files
        { "file", "file://" + Peers.DataDir, true },
        { "nginx", $"http://{Peers.Host}:{Peers.Nginx}/", false },
        { "apache", $"http://{Peers.Host}:{Peers.Apache}/", true },
        { "lighttpd", $"http://{Peers.Host}:{Peers.Lighttpd}/", false },
        { "nginx-https", $"https://{Peers.Host}:{Peers.NginxTls}/", false },
        { "webfs", $"http://{Peers.Host}:{Peers.Webfs}/", true },
        { "mini_httpd", $"http://{Peers.Host}:{Peers.MiniHttpd}/", true },
        { "python-http.server", $"http://{Peers.Host}:{Peers.PythonHttp}/", true },
        { "webrick", $"http://{Peers.Host}:{Peers.Webrick}/", true },
        { "caddy", $"http://{Peers.Host}:{Peers.Caddy}/", true },
        { "vsftpd", $"ftp://{Peers.Host}:{Peers.VsftpdFtp}/", false },
        { "vsftpd-ftpes-reuse", $"ftpes://{Peers.Host}:{Peers.VsftpdFtpsReuse}/", false },
        { "vsftpd-ftpes-noreuse", $"ftpes://{Peers.Host}:{Peers.VsftpdFtpsNoReuse}/", false },
        { "vsftpd-ftps-implicit", $"ftps://{Peers.Host}:{Peers.VsftpdImplicit}/", false },
        { "pure-ftpd", $"ftp://{Peers.Host}:{Peers.PureFtpd}/", true },
        { "proftpd", $"ftp://{Peers.Host}:{Peers.Proftpd}/", true },
        { "sftp", $"sftp://{Peers.Host}:{Peers.Sftp}/", true },
    };

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Lists_and_reads_like_the_local_folder(string name, string url, bool dotFiles)
    {
        var ct = TestContext.Current.CancellationToken;
        var options = HttpTestSupport.LoopbackOptions();
        var factory = new StorageClientFactory(new AddressGuard(options), options);
        var location = StorageLocation.Parse(url, out _);
        var credentials = location.Protocol is StorageProtocol.File or StorageProtocol.Http or StorageProtocol.Https ? StorageCredentials.Anonymous
            : new StorageCredentials(Peers.User, Peers.Password);
        // The peers use a self-signed certificate and a fresh host key: trusted for this test run only.
        var trust = new StorageTrust(AcceptUnknown: true, [], null);
        var limiter = new CountingLimiter(2);
        await using var client = factory.Create(location, credentials, limiter, trust);
        string root = location.Protocol == StorageProtocol.File ? Peers.DataDir : "";

        foreach (string folder in new[] { "tree", "fixtures" })
        {
            var remote = await HttpTestSupport.ListTreeAsync(client, $"{root}/{folder}", ct);
            var local = HttpTestSupport.LocalTree(Path.Combine(Peers.DataDir, folder), dotFiles);
            Assert.Equal(local.Keys, remote.Keys);
            foreach (var (path, size) in local.Where(p => p.Value is not null))
            {
                var entry = remote[path];
                Assert.Equal(StorageEntryKind.File, entry.Kind);
                if (entry.Size is null)
                    continue;
                if (entry.SizeIsExact)
                    Assert.Equal(size, entry.Size);
                else // rounded to one decimal ("1.8M") or to whole units (nginx's "2M" for 1.8 MiB, webfs's "2120 kB")
                    Assert.InRange(entry.Size.Value, (long)(size!.Value * 0.5) - 1024, (long)(size.Value * 1.5) + 1024);
            }
        }

        foreach (string relative in SampleFiles)
        {
            byte[] expected = await File.ReadAllBytesAsync(Path.Combine(Peers.DataDir, relative), ct);
            foreach (long offset in new long[] { 0, expected.Length / 2 })
            {
                var buffer = new byte[16 * 1024];
                var result = await client.ReadRangeAsync($"{root}/{relative}", offset, buffer, ct);
                int count = (int)Math.Min(buffer.Length, expected.Length - offset);
                Assert.Equal(count, result.BytesRead);
                Assert.Equal(expected.AsSpan((int)offset, count).ToArray(), buffer[..count]);
                if (result.TotalLength is not null)
                    Assert.Equal(expected.Length, result.TotalLength);
            }
        }
        Assert.InRange(limiter.Peak, 0, 2);
        _ = name;
    }
}

/// <summary>Serial collection of <see cref="CrossProtocolTests"/>.</summary>
[CollectionDefinition(nameof(CrossProtocolTests), DisableParallelization = true)]
public sealed class CrossProtocolCollection
{
}
