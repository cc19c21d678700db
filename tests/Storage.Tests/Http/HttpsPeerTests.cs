using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Pcrs.Grains.Storage;
using Pcrs.Grains.Storage.Http;
using Pcrs.Grains.Storage.Security;
using Pcrs.TestSupport;
using static Pcrs.Storage.Tests.Http.HttpTestSupport;

namespace Pcrs.Storage.Tests.Http;

/// <summary>
/// The real nginx over TLS (tests/peers/start.sh, self-signed certificate): listings, the standard read path and the
/// pipelined one (<see cref="StorageAccessOptions.HttpPipelineDepth"/> above 1), with the certificate trusted by its pin
/// and refused without it on both paths. Its autoindex rounds sizes: the exact length comes from the reads.
/// </summary>
public sealed class HttpsPeerTests
{
    private const string Fixture = "fixtures/cc48_rgb_tiled_deflate.tif";

    private static string Url => $"https://{Peers.Host}:{Peers.NginxTls}/";

    private static string Pin()
    {
        using var cert = X509Certificate2.CreateFromPem(File.ReadAllText(Peers.CertificatePath));
        return "SHA256:" + Convert.ToBase64String(SHA256.HashData(cert.RawData)).TrimEnd('=');
    }

    private static HttpStorageClient Client(StorageTrust trust, int depth, CountingLimiter? limiter = null)
    {
        var options = LoopbackOptions();
        options.HttpPipelineDepth = depth;
        return new HttpStorageClient(StorageLocation.Parse(Url, out _), StorageCredentials.Anonymous, limiter ?? new CountingLimiter(2), trust,
            new AddressGuard(options), options);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    public async Task Pinned_certificate_lists_and_reads_exact_bytes_and_facts(int depth)
    {
        var ct = TestContext.Current.CancellationToken;
        byte[] file = await File.ReadAllBytesAsync(Path.Combine(Peers.DataDir, Fixture), ct);
        var modified = File.GetLastWriteTimeUtc(Path.Combine(Peers.DataDir, Fixture));
        var limiter = new CountingLimiter(2);
        await using var client = Client(new StorageTrust(false, [Pin()], null), depth, limiter);

        var listed = await client.ListAsync("/fixtures", ct).ToListAsync(ct);
        var entry = Assert.Single(listed, e => e.Name == Path.GetFileName(Fixture));
        Assert.False(entry.SizeIsExact); // autoindex_exact_size off: "2M"

        long[] offsets = [.. Enumerable.Range(0, 40).Select(i => i * 7919L * 13 % (file.Length - 4096)), file.Length - 1000];
        var results = await Task.WhenAll(offsets.Select(async offset =>
        {
            var buffer = new byte[4096];
            var result = await client.ReadRangeAsync("/" + Fixture, offset, buffer, ct);
            return (offset, result, bytes: buffer[..result.BytesRead]);
        }));
        foreach (var (offset, result, bytes) in results)
        {
            int expected = (int)Math.Min(4096, file.Length - offset);
            Assert.Equal(file[(int)offset..((int)offset + expected)], bytes);
            // The protocol's facts, whatever the listing rounded: the exact length, Last-Modified to the second, the ETag.
            Assert.Equal(file.Length, result.TotalLength);
            Assert.Equal(new DateTimeOffset(modified).ToUnixTimeSeconds(), result.LastModified!.Value.ToUnixTimeSeconds());
            Assert.False(string.IsNullOrEmpty(result.ETag));
        }
        // At every depth the TLS path of the pipeline answers the reads (depth 1: one request per connection at a time).
        Assert.True(client.Pipeline.Enabled);
        Assert.InRange(client.Pipeline.ReadsAnswered, offsets.Length - 1, offsets.Length);
        Assert.InRange(limiter.Peak, 1, 2);
        // The listing and the reads shared the pool's connections: no connection was opened beyond the limit of 2.
        Assert.InRange(limiter.Acquired, 1, 2);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    public async Task Without_the_pin_the_certificate_is_refused(int depth)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var client = Client(StorageTrust.Default, depth);
        var read = await Assert.ThrowsAsync<StorageException>(() => client.ReadRangeAsync("/" + Fixture, 0, new byte[4096], ct));
        Assert.Equal(StorageErrorKind.Trust, read.Kind);
        var list = await Assert.ThrowsAsync<StorageException>(async () => await client.ListAsync("/fixtures", ct).ToListAsync(ct));
        Assert.Equal(StorageErrorKind.Trust, list.Kind);

        // Another certificate's pin is no better.
        await using var wrongPin = Client(new StorageTrust(false, ["SHA256:" + Convert.ToBase64String(new byte[32]).TrimEnd('=')], null), depth);
        var wrong = await Assert.ThrowsAsync<StorageException>(() => wrongPin.ReadRangeAsync("/" + Fixture, 0, new byte[4096], ct));
        Assert.Equal(StorageErrorKind.Trust, wrong.Kind);
    }
}
