using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Pcrs.Hosting.Tests.Support;
using Pcrs.TestSupport;

namespace Pcrs.Hosting.Tests;

/// <summary>
/// The backup procedure of deploy/README.md on real processes: a web front (with its silo) scans an FTP storage whose
/// password only the key ring knows; `pg_dump -Fc` while it runs; `pg_restore` into a new database; a new web front
/// on it with the same key file serves the same tiles and file bytes, the editor key still works, and a rescan logs in
/// with the restored password and finds every file unchanged.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class BackupRestoreTests : IAsyncLifetime
{
    private const string AdminToken = "backup-restore-admin-token";
    private const int Directories = 2;
    private const int FilesPerDirectory = 3;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(150);
    private static readonly TimeSpan ScanTimeout = TimeSpan.FromMinutes(2);

    private readonly TestDatabase _original = new();
    private readonly TestDatabase _restored = new();
    private readonly string _id = Guid.NewGuid().ToString("N")[..8];
    private readonly string _folder = Directory.CreateTempSubdirectory("pcrs-backup-").FullName;
    private readonly List<ProductProcess> _processes = [];
    private string _treeRoot = "";

    public async ValueTask InitializeAsync()
    {
        await _original.InitializeAsync();
        await _restored.InitializeAsync();
        _treeRoot = Path.Combine(Peers.DataDir, "backup-tests", _id);
        HardLinks.CreateTree(_treeRoot, Directories, FilesPerDirectory, Path.Combine(Peers.FixturesDir, "l93_rgb_tiled_lzw.tif"));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (ProductProcess process in _processes)
            await process.DisposeAsync();
        await _original.DisposeAsync();
        await _restored.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
        Directory.Delete(_treeRoot, recursive: true);
    }

    [Fact(Timeout = 300_000)]
    public async Task A_restored_dump_with_its_key_file_serves_the_same_data_and_rescans_with_its_credentials()
    {
        var ct = TestContext.Current.CancellationToken;
        var (first, firstUrl) = await StartWebFrontAsync("first", _original);
        using var admin = Client(firstUrl, AdminToken);
        var created = await admin.PostAsJsonAsync("/api/projects", new JsonObject
        {
            ["name"] = "Sauvegarde " + _id, ["regime"] = "production", ["nature"] = "raster",
            ["perimeters"] = new JsonArray("epci:200039865"),
            ["deliverables"] = new JsonArray(new JsonObject { ["name"] = "Ortho", ["nature"] = "geotiff", ["licence"] = "ouvert_lo" }),
        }, ct);
        var project = JsonNode.Parse(await created.Content.ReadAsStringAsync(ct))!;
        Assert.True(created.StatusCode == HttpStatusCode.Created, project.ToJsonString());
        string d = $"/api/projects/{project["id"]}/deliverables/{project["deliverableIds"]![0]}";
        string editorKey = project["editorKey"]!.GetValue<string>();
        var declared = await admin.PutAsJsonAsync($"{d}/storage", new JsonObject
        {
            ["type"] = "ftp", ["host"] = Peers.Host, ["port"] = Peers.VsftpdFtp, ["path"] = $"/backup-tests/{_id}",
            ["username"] = Peers.User, ["password"] = Peers.Password, ["publicConnection"] = false, ["downloadAllowed"] = true,
        }, ct);
        Assert.Equal(HttpStatusCode.Accepted, declared.StatusCode);
        await ScanSucceededAsync(_original, 1, first);
        // Links in the answers are absolute: compared with the web front's own address taken out.
        string tiles = (await admin.GetStringAsync($"{d}/tiles", ct)).Replace(firstUrl, "", StringComparison.Ordinal);
        string path = JsonNode.Parse(tiles)!["features"]![0]!["properties"]!["path"]!.GetValue<string>();
        byte[] bytes = await admin.GetByteArrayAsync($"{d}/files{path}", ct);
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(Peers.FixturesDir, "l93_rgb_tiled_lzw.tif"), ct), bytes);

        // The backup, taken while the system runs; then the original goes away.
        string archive = Path.Combine(_folder, "pcrs.dump");
        await PgDump.DumpArchiveAsync(_original.Name, archive);
        await first.StopAsync(TimeSpan.FromSeconds(60));

        // Restore into an empty database; the same key file; a new Orleans cluster id (the dump's membership rows name
        // silos that are gone).
        await PgDump.RestoreArchiveAsync(_restored.Name, archive);
        var (second, secondUrl) = await StartWebFrontAsync("restored", _restored);
        using var restoredAdmin = Client(secondUrl, AdminToken);
        Assert.Equal(tiles, (await restoredAdmin.GetStringAsync($"{d}/tiles", ct)).Replace(secondUrl, "", StringComparison.Ordinal));
        Assert.Equal(bytes, await restoredAdmin.GetByteArrayAsync($"{d}/files{path}", ct));
        using var editor = Client(secondUrl, editorKey);
        Assert.Equal("editor", JsonNode.Parse(await editor.GetStringAsync("/api/session", ct))!["role"]!.GetValue<string>());

        // A rescan logs in with the password decrypted from the restored key ring, and finds the same files.
        Assert.Equal(HttpStatusCode.Accepted, (await restoredAdmin.PostAsync($"{d}/scan", null, ct)).StatusCode);
        await ScanSucceededAsync(_restored, 2, second);
        Assert.Equal($"{Directories * FilesPerDirectory} 0 {Directories * FilesPerDirectory} 0", await _restored.ScalarAsync<string>(
            "SELECT concat_ws(' ', files, analysed, unchanged, errors) FROM pcrs_scans WHERE scan_number = 2"));
        Assert.Equal(tiles, (await restoredAdmin.GetStringAsync($"{d}/tiles", ct)).Replace(secondUrl, "", StringComparison.Ordinal));
    }

    private static HttpClient Client(string url, string token)
    {
        var client = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private static async Task ScanSucceededAsync(TestDatabase database, long scan, ProductProcess web)
    {
        string status = "none";
        bool done = await Eventually.TrueAsync(async () =>
        {
            status = await database.ScalarAsync<string>($"SELECT status FROM pcrs_scans WHERE scan_number = {scan}") ?? "none";
            return status is not ("none" or "running");
        }, ScanTimeout);
        string error = await database.ScalarAsync<string>($"SELECT coalesce(error, '') FROM pcrs_scans WHERE scan_number = {scan}") ?? "";
        Assert.True(done && status == "succeeded", $"scan {scan}: {status} {error}\n{web}");
    }

    private async Task<(ProductProcess Process, string Url)> StartWebFrontAsync(string name, TestDatabase database)
    {
        string Port() => FreePort.Next().ToString(CultureInfo.InvariantCulture);
        string cluster = $"backup-{name}-{_id}";
        string url = $"http://127.0.0.1:{FreePort.Next()}";
        ProductProcess web = ProductProcess.Start(name, "Pcrs.WebFront", new Dictionary<string, string?>
        {
            ["ConnectionStrings__Pcrs"] = database.ConnectionString,
            ["Orleans__ClusterId"] = cluster,
            ["Orleans__ServiceId"] = "backup-" + _id,
            ["Orleans__Endpoints__SiloPort"] = Port(),
            ["Orleans__Endpoints__GatewayPort"] = Port(),
            ["Secrets__KeyFile"] = Path.Combine(_folder, "key-encryption.key"),
            ["Database__DataDirectory"] = Path.Combine(_folder, name),
            ["Auth__AdminTokenHashes"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(AdminToken))),
            ["Scanning__AllowedNetworks"] = "127.0.0.0/8",
        }, "--urls", url);
        _processes.Add(web);
        Assert.True(await web.WaitHealthyAsync(url, StartTimeout), $"{name} web front should become healthy.\n{web}");
        return (web, url);
    }
}
