using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Pcrs.Grains.Scanning;
using Pcrs.TestSupport;

namespace Pcrs.WebFront.Tests;

/// <summary>
/// The web front on a real socket (Kestrel: real TCP back-pressure between downloader and platform), trusting the peers'
/// self-signed FTPS certificate by fingerprint as an operator would pin it.
/// </summary>
public class DownloadFixture : WebFrontFixture
{
    protected override bool ListenOnSocket => true;

    protected override void Configure(IWebHostBuilder builder)
    {
        // Pins replace trust on first use for SSH too, so the peers' host keys are pinned alongside the certificate.
        builder.ConfigureTestServices(services => services.AddSingleton(
            new ScanTrustOverrides(false, [PeersCertificateFingerprint(), .. PeersHostKeyFingerprints()])));
    }

    /// <summary>Declares a storage on a deliverable and waits for its first scan to succeed; returns the deliverable's base URL.</summary>
    public async Task<string> DeclareAndScanAsync(CreatedProject project, int deliverable, JsonObject storage)
    {
        var d = $"/api/projects/{project.Id}/deliverables/{project.Deliverables[deliverable]}";
        using var editor = Client(project.EditorKey);
        var declare = await editor.PutAsJsonAsync($"{d}/storage", storage);
        Assert.Equal(HttpStatusCode.Accepted, declare.StatusCode);
        var status = await WaitForScanAsync(d);
        Assert.True(status == "succeeded", $"scan {status}");
        return d;
    }

    /// <summary>Waits for the deliverable's scan to end; returns its status ("succeeded" or "failed" with its error).</summary>
    public async Task<string> WaitForScanAsync(string deliverable)
    {
        using var anonymous = Client();
        var scan = await ScanStates.SettledAsync(anonymous, deliverable);
        var status = scan["status"]!.GetValue<string>();
        return status == "succeeded" ? status : $"{status}: {scan.ToJsonString()}";
    }

    public static JsonObject Ftp(string path, bool downloadAllowed = true, int? port = null, string tls = "none") => new()
    {
        ["type"] = "ftp", ["host"] = "127.0.0.1", ["port"] = port ?? Peers.VsftpdFtp, ["path"] = path,
        ["username"] = Peers.User, ["password"] = Peers.Password, ["tls"] = tls,
        ["publicConnection"] = false, ["downloadAllowed"] = downloadAllowed,
    };

    public static JsonObject Sftp(string path) => new()
    {
        ["type"] = "sftp", ["host"] = "127.0.0.1", ["port"] = Peers.Sftp, ["path"] = path,
        ["username"] = Peers.User, ["password"] = Peers.Password, ["publicConnection"] = false, ["downloadAllowed"] = true,
    };

    /// <summary>OpenSSH-style fingerprints (SHA256 of the key blob) of the peers' SSH host keys.</summary>
    private static IEnumerable<string> PeersHostKeyFingerprints() =>
        Directory.EnumerateFiles(Path.Combine(Peers.Dir, "conf"), "ssh_host_*_key.pub")
            .Select(file => File.ReadAllText(file).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1])
            .Select(blob => "SHA256:" + Convert.ToBase64String(SHA256.HashData(Convert.FromBase64String(blob))).TrimEnd('='));

    private static string PeersCertificateFingerprint()
    {
        using var cert = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(Peers.Dir, "conf", "cert.pem")));
        return "SHA256:" + Convert.ToBase64String(SHA256.HashData(cert.RawData)).TrimEnd('=');
    }
}
