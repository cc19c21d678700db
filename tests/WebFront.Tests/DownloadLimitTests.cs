using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Pcrs.TestSupport;

namespace Pcrs.WebFront.Tests;

/// <summary>A web front whose storages allow 2 connections, and downloads that wait 5 s at most for one.</summary>
public sealed class TwoConnectionsFixture : DownloadFixture
{
    public const int Limit = 2;
    public static readonly TimeSpan ConnectionWait = TimeSpan.FromSeconds(5);

    protected override void Configure(IWebHostBuilder builder)
    {
        base.Configure(builder);
        builder.UseSetting("Scanning:MaxConnectionsPerStorage", Limit.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Downloads:ConnectionWait", ConnectionWait.ToString());
        builder.UseSetting("Downloads:RetryAfterSeconds", "7");
    }
}

/// <summary>
/// Downloads take their connections under the storage's cluster-wide lease, like the scanner: counted at the server's
/// port, the platform never holds more than Scanning:MaxConnectionsPerStorage, and a download that cannot get a
/// connection in time is answered 503 with Retry-After instead of hanging.
/// </summary>
[Collection(WebFrontCollection.Name)]
public sealed class DownloadLimitTests(TwoConnectionsFixture web, ITestOutputHelper output) : IClassFixture<TwoConnectionsFixture>
{
    private const int SlowLength = 8 * 1024 * 1024;

    [Fact]
    public async Task Scans_and_downloads_together_stay_within_the_storage_limit()
    {
        DownloadFiles.Prepare();
        var project = await web.CreateProjectAsync("Limite de connexions");
        // proftpd: no other test of this process declares a storage on it, so every connection counted is this storage's
        // (other fixtures' silos keep retrying storages on vsftpd declared with wrong passwords on purpose).
        await using var sampler = new ConnectionSampler(Peers.Proftpd, ownProcessOnly: true);
        // The scan's connections stay in the pool afterwards, holding their leases: the downloads must reuse them.
        var big = await web.DeclareAndScanAsync(project, 0, DownloadFixture.Ftp(DownloadFiles.BigPath, port: Peers.Proftpd));
        var url = $"{big}/files{DownloadFiles.BigPath}/{DownloadFiles.BigName}";
        using var client = web.Client();

        var watch = System.Diagnostics.Stopwatch.StartNew();
        var downloads = Task.WhenAll(Enumerable.Range(0, 4).Select(_ => SlowDownloadAsync(client, url)));
        // A rescan meanwhile: a newer client (pool) of the same storage on this silo competes for the same leases.
        await Task.Delay(500);
        using (var editor = web.Client(project.EditorKey))
            Assert.Equal(HttpStatusCode.Accepted, (await editor.PostAsync($"{big}/scan", null)).StatusCode);
        var outcomes = await downloads;
        var rescan = await web.WaitForScanAsync(big);
        Assert.Equal("succeeded", rescan);
        output.WriteLine($"4 slow downloads of 8 MiB and a rescan in {watch.Elapsed.TotalSeconds:F1} s: {string.Join(", ", outcomes)}; " +
                         $"peak {sampler.Peak} connections at the server over {sampler.Samples} samples; load {File.ReadAllText("/proc/loadavg").Trim()}");
        Assert.True(sampler.Samples >= 3, $"only {sampler.Samples} samples: too few to say anything");
        Assert.InRange(sampler.Peak, 1, TwoConnectionsFixture.Limit);
        // Each one completes, or (on a machine so slow that the first two outlast the wait) is refused as designed.
        Assert.All(outcomes, o => Assert.True(o is "complete" or "503", o));
        Assert.True(outcomes.Count(o => o == "complete") >= TwoConnectionsFixture.Limit, string.Join(", ", outcomes));
    }

    [Fact]
    public async Task A_download_that_finds_every_connection_busy_is_refused_with_retry_after()
    {
        DownloadFiles.Prepare();
        var project = await web.CreateProjectAsync("Connexions occupées");
        // A storage of its own (explicit FTPS): the other test's connections to plain FTP do not count here.
        var big = await web.DeclareAndScanAsync(project, 0, DownloadFixture.Ftp(DownloadFiles.BigPath, port: Peers.VsftpdFtpsReuse, tls: "explicit"));
        var url = $"{big}/files{DownloadFiles.BigPath}/{DownloadFiles.BigName}";
        using var client = web.Client();
        await using var sampler = new ConnectionSampler(Peers.VsftpdFtpsReuse, ownProcessOnly: true);

        // Two downloads that stop reading hold both connections (TCP back-pressure stalls the transfer, not ends it).
        var held = new List<HttpResponseMessage>();
        for (int i = 0; i < TwoConnectionsFixture.Limit; i++)
        {
            var response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            held.Add(response);
        }
        try
        {
            var watch = System.Diagnostics.Stopwatch.StartNew();
            using var refused = await client.GetAsync(url);
            var waited = watch.Elapsed;
            output.WriteLine($"refused after {waited.TotalSeconds:F1} s with {(int)refused.StatusCode}; peak {sampler.Peak} connections");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(7), refused.Headers.RetryAfter?.Delta);
            Assert.InRange(waited, TwoConnectionsFixture.ConnectionWait - TimeSpan.FromSeconds(0.5), TwoConnectionsFixture.ConnectionWait + TimeSpan.FromSeconds(20));
            Assert.InRange(sampler.Peak, 1, TwoConnectionsFixture.Limit);
        }
        finally
        {
            foreach (var response in held)
                response.Dispose();
        }

        // The abandoned downloads gave their connections back: the next one is served.
        using var request = new HttpRequestMessage(HttpMethod.Get, url) { Headers = { Range = new RangeHeaderValue(0, 1023) } };
        using var served = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.PartialContent, served.StatusCode);
        Assert.Equal(DownloadFiles.BigBytes(0, 1024), await served.Content.ReadAsByteArrayAsync());
    }

    /// <summary>Reads the first 8 MiB of the big file at about 5 MiB/s; "complete", "503" or what went wrong.</summary>
    private static async Task<string> SlowDownloadAsync(HttpClient client, string url)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url) { Headers = { Range = new RangeHeaderValue(0, SlowLength - 1) } };
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
            return response.Headers.RetryAfter is null ? "503 without Retry-After" : "503";
        if (response.StatusCode != HttpStatusCode.PartialContent)
            return $"unexpected {(int)response.StatusCode}";
        await using var body = await response.Content.ReadAsStreamAsync();
        var received = new byte[SlowLength];
        int total = 0;
        while (total < SlowLength)
        {
            int read = await body.ReadAsync(received.AsMemory(total, Math.Min(256 * 1024, SlowLength - total)));
            if (read == 0)
                return $"ended after {total} bytes";
            total += read;
            await Task.Delay(50);
        }
        if (await body.ReadAsync(new byte[1]) != 0)
            return "longer than asked";
        return received.AsSpan().SequenceEqual(DownloadFiles.BigBytes(0, SlowLength)) ? "complete" : "wrong bytes";
    }
}
