using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Npgsql;
using Pcrs.TestSupport;

namespace Pcrs.WebFront.Tests;

/// <summary>
/// Declare, scan, read and revoke through the real cluster and the real servers: tiles copied from the fixtures into a
/// folder the peers serve, scanned over HTTP (nginx), summaries, tiles and downloads read back, then revocation checked
/// against a full pg_dump of the database.
/// </summary>
[Collection(WebFrontCollection.Name)]
public sealed class StorageFlowTests(WebFrontFixture web) : IClassFixture<WebFrontFixture>
{
    private static readonly string[] TileNames = ["l93_rgb_geojp2_only.jp2", "l93_rgb_tiled_lzw.tif", "l93_rgb_lossless.jp2"];

    /// <summary>A folder of three valid tiles under the peers' data root, served by nginx, vsftpd and sshd alike.</summary>
    private static string PrepareTiles()
    {
        var folder = Path.Combine(Peers.DataDir, "webfront-tests", "dalles");
        Directory.CreateDirectory(folder);
        foreach (var name in TileNames)
        {
            var target = Path.Combine(folder, name);
            if (!File.Exists(target))
                File.Copy(Path.Combine(Peers.FixturesDir, name), target);
        }
        return folder;
    }

    [Fact]
    public async Task Http_storage_is_scanned_and_its_tiles_served_and_redirected()
    {
        PrepareTiles();
        var project = await web.CreateProjectAsync("Projet HTTP");
        var d = $"/api/projects/{project.Id}/deliverables/{project.Deliverables[0]}";
        using var editor = web.Client(project.EditorKey);
        var declare = await editor.PutAsJsonAsync($"{d}/storage", new JsonObject
        {
            ["type"] = "http", ["url"] = $"http://127.0.0.1:{Peers.Nginx}/webfront-tests/dalles/",
            ["publicConnection"] = true, ["downloadAllowed"] = true,
        });
        Assert.Equal(HttpStatusCode.Accepted, declare.StatusCode);

        using var anonymous = web.Client();
        var scan = await ScanStates.SettledAsync(anonymous, d);
        Assert.Equal("succeeded", scan["status"]!.GetValue<string>());
        Assert.NotNull(scan["lastSuccessAt"]);

        var json = await WebFrontFixture.ReadJsonAsync(await anonymous.GetAsync($"/api/projects/{project.Id}"));
        var storage = json["deliverables"]![0]!["storage"]!;
        Assert.Equal("http", storage["type"]!.GetValue<string>());
        Assert.Equal($"http://127.0.0.1:{Peers.Nginx}/webfront-tests/dalles/", storage["url"]!.GetValue<string>());
        Assert.Equal(3, storage["scan"]!["tiles"]!.GetValue<long>());
        Assert.Equal(2154, storage["scan"]!["epsg"]!.GetValue<int>());

        var tiles = await WebFrontFixture.ReadJsonAsync(await anonymous.GetAsync($"{d}/tiles"));
        Assert.Equal("FeatureCollection", tiles["type"]!.GetValue<string>());
        var features = tiles["features"]!.AsArray();
        Assert.Equal(3, features.Count);
        var first = features[0]!["properties"]!;
        Assert.StartsWith("/webfront-tests/dalles/", first["path"]!.GetValue<string>());
        Assert.Equal("Polygon", features[0]!["geometry"]!["type"]!.GetValue<string>());
        var downloadUrl = first["downloadUrl"]!.GetValue<string>();

        // A box far from the tiles keeps none.
        var empty = await WebFrontFixture.ReadJsonAsync(await anonymous.GetAsync($"{d}/tiles?bbox=100,10,101,11"));
        Assert.Empty(empty["features"]!.AsArray());

        var redirect = await anonymous.GetAsync(new Uri(downloadUrl).PathAndQuery);
        Assert.Equal(HttpStatusCode.Redirect, redirect.StatusCode);
        Assert.StartsWith($"http://127.0.0.1:{Peers.Nginx}/webfront-tests/dalles/", redirect.Headers.Location!.ToString());
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"{d}/files/webfront-tests/dalles/missing.jp2")).StatusCode);

        var geojson = await anonymous.GetAsync("/api/exports/dalles.geojson");
        Assert.Equal("application/geo+json", geojson.Content.Headers.ContentType?.MediaType);
        Assert.Contains("\"nomImage\":\"l93_rgb_lossless.jp2\"", await geojson.Content.ReadAsStringAsync());
        var csv = await anonymous.GetAsync("/api/exports/livrables.csv");
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Projet HTTP", await csv.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Revocation_erases_the_password_and_hides_the_deliverable_at_once()
    {
        PrepareTiles();
        const string password = "peerpass";
        var project = await web.CreateProjectAsync("Projet révoqué");
        var d = $"/api/projects/{project.Id}/deliverables/{project.Deliverables[0]}";
        using var editor = web.Client(project.EditorKey);
        var declare = await editor.PutAsJsonAsync($"{d}/storage", new JsonObject
        {
            ["type"] = "sftp", ["host"] = "127.0.0.1", ["port"] = Peers.Sftp, ["path"] = "/webfront-tests/dalles",
            ["username"] = Peers.User, ["password"] = password, ["publicConnection"] = false, ["downloadAllowed"] = true,
        });
        Assert.Equal(HttpStatusCode.Accepted, declare.StatusCode);

        using var anonymous = web.Client();
        var before = await anonymous.GetStringAsync($"/api/projects/{project.Id}");
        Assert.DoesNotContain(password, before);
        Assert.Contains("\"type\":\"sftp\"", before);
        Assert.DoesNotContain("127.0.0.1", before);

        // Before: scanned, and the file downloads (so the refusal below is the revocation's doing).
        Assert.Equal("succeeded", (await ScanStates.SettledAsync(anonymous, d))["status"]!.GetValue<string>());
        var file = $"{d}/files/webfront-tests/dalles/{TileNames[0]}";
        var local = Path.Combine(Peers.DataDir, "webfront-tests", "dalles", TileNames[0]);
        Assert.Equal(await File.ReadAllBytesAsync(local), await anonymous.GetByteArrayAsync(file));
        // The password exists in the database only encrypted, once: in the declaration the StorageGrain keeps.
        const string storageKey = "sftp://peer@127.0.0.1:";
        var ciphertexts = new List<string>();
        await using (var connection = new NpgsqlConnection(web.ConnectionString))
        {
            await connection.OpenAsync();
            await using var read = new NpgsqlCommand("SELECT protected_secret FROM pcrs_storage_attachments WHERE deliverable_id = @id", connection);
            read.Parameters.AddWithValue("id", project.Deliverables[0].ToString());
            await using var reader = await read.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                ciphertexts.Add(reader.GetString(0));
        }
        Assert.Single(ciphertexts);
        Assert.All(ciphertexts, c => Assert.DoesNotContain(password, c));

        Assert.Equal(HttpStatusCode.NoContent, (await editor.DeleteAsync($"{d}/storage")).StatusCode);

        // At once, with no wait: downloads (whole, ranged, HEAD) refused, and the deliverable gone from every view.
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync(file)).StatusCode);
        using (var ranged = new HttpRequestMessage(HttpMethod.Get, file) { Headers = { Range = new System.Net.Http.Headers.RangeHeaderValue(0, 99) } })
            Assert.Equal(HttpStatusCode.NotFound, (await anonymous.SendAsync(ranged)).StatusCode);
        using (var head = new HttpRequestMessage(HttpMethod.Head, file))
            Assert.Equal(HttpStatusCode.NotFound, (await anonymous.SendAsync(head)).StatusCode);
        var after = await WebFrontFixture.ReadJsonAsync(await anonymous.GetAsync($"/api/projects/{project.Id}"));
        Assert.Null(after["deliverables"]![0]!["storage"]);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"{d}/tiles")).StatusCode);
        Assert.DoesNotContain(project.Deliverables[0].ToString(), await anonymous.GetStringAsync("/api/exports/livrables.geojson"));

        await using (var connection = new NpgsqlConnection(web.ConnectionString))
        {
            await connection.OpenAsync();
            // Other tests of this class share the database: count this deliverable's declaration only.
            await using var count = new NpgsqlCommand("SELECT count(*) FROM pcrs_storage_attachments WHERE deliverable_id = @id", connection);
            count.Parameters.AddWithValue("id", project.Deliverables[0].ToString());
            Assert.Equal(0L, (long)(await count.ExecuteScalarAsync())!);
            // The scan data stays (other deliverables may share the storage); its credentials do not.
            await using var storage = new NpgsqlCommand(
                "SELECT s.crawl_credential IS NULL, (SELECT count(*) FROM pcrs_entries e WHERE e.storage_key = s.storage_key) FROM pcrs_storages s WHERE storage_key = @key", connection);
            storage.Parameters.AddWithValue("key", storageKey + Peers.Sftp);
            await using var reader = await storage.ExecuteReaderAsync();
            Assert.True(await reader.ReadAsync(), "the storage's catalogue row is gone");
            Assert.True(reader.GetBoolean(0), "the crawl still uses the revoked declaration's login");
            Assert.True(reader.GetInt64(1) > 0, "the scan data left the catalogue");
        }
        var dump = await PgDump.RunAsync(web.DatabaseName);
        Assert.Contains("pcrs_storage_attachments", dump);
        Assert.DoesNotContain(password, dump);
        Assert.All(ciphertexts, c => Assert.DoesNotContain(c, dump));
    }

    [Fact]
    public async Task Public_connection_details_show_the_password_for_that_storage_only()
    {
        var project = await web.CreateProjectAsync("Projet public", deliverables: 2);
        using var editor = web.Client(project.EditorKey);
        var publicStorage = new JsonObject
        {
            ["type"] = "ftp", ["host"] = "127.0.0.1", ["port"] = Peers.VsftpdFtp, ["path"] = "/webfront-tests/dalles",
            ["username"] = Peers.User, ["password"] = "public-secret-1", ["tls"] = "none", ["publicConnection"] = true, ["downloadAllowed"] = false,
        };
        var privateStorage = publicStorage.DeepClone().AsObject();
        privateStorage["password"] = "private-secret-2";
        privateStorage["publicConnection"] = false;
        Assert.Equal(HttpStatusCode.Accepted, (await editor.PutAsJsonAsync($"/api/projects/{project.Id}/deliverables/{project.Deliverables[0]}/storage", publicStorage)).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await editor.PutAsJsonAsync($"/api/projects/{project.Id}/deliverables/{project.Deliverables[1]}/storage", privateStorage)).StatusCode);

        using var anonymous = web.Client();
        var json = await WebFrontFixture.ReadJsonAsync(await anonymous.GetAsync($"/api/projects/{project.Id}"));
        var shown = json["deliverables"]![0]!["storage"]!;
        Assert.Equal("public-secret-1", shown["password"]!.GetValue<string>());
        Assert.Equal("127.0.0.1", shown["host"]!.GetValue<string>());
        Assert.DoesNotContain("private-secret-2", json.ToJsonString());
        Assert.Null(json["deliverables"]![1]!["storage"]!["host"]);

        // Download not allowed: 403.
        var forbidden = await anonymous.GetAsync($"/api/projects/{project.Id}/deliverables/{project.Deliverables[0]}/files/webfront-tests/dalles/{TileNames[0]}");
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
    }

    [Fact]
    public async Task Rescan_period_asked_in_days_sets_the_storage_reminder_and_reads_back()
    {
        var project = await web.CreateProjectAsync("Projet rescan hebdomadaire");
        using var editor = web.Client(project.EditorKey);
        var did = project.Deliverables[0];
        // A server no other test of this class declares gives this test a storage (and a reminder) of its own. The period
        // applies once the declaration's login is proven.
        var storage = new JsonObject
        {
            ["type"] = "ftp", ["host"] = "127.0.0.1", ["port"] = Peers.PureFtpd, ["path"] = "/webfront-tests/dalles",
            ["username"] = Peers.User, ["password"] = Peers.Password, ["tls"] = "none", ["rescanDays"] = 7,
        };
        Assert.Equal(HttpStatusCode.Accepted, (await editor.PutAsJsonAsync($"/api/projects/{project.Id}/deliverables/{did}/storage", storage)).StatusCode);

        using var anonymous = web.Client();
        await ScanStates.SettledAsync(anonymous, $"/api/projects/{project.Id}/deliverables/{did}");
        var json = await WebFrontFixture.ReadJsonAsync(await anonymous.GetAsync($"/api/projects/{project.Id}"));
        Assert.Equal(7, json["deliverables"]![0]!["storage"]!["rescanDays"]!.GetValue<int>());

        await using var connection = new NpgsqlConnection(web.ConnectionString);
        await connection.OpenAsync();
        await using (var period = new NpgsqlCommand($"SELECT rescan_period FROM pcrs_storages WHERE storage_key = 'ftp://{Peers.User}@127.0.0.1:{Peers.PureFtpd}'", connection))
            Assert.Equal(TimeSpan.FromDays(7), (TimeSpan)(await period.ExecuteScalarAsync())!);
        await using (var reminder = new NpgsqlCommand(
            $"SELECT period FROM orleans_reminders WHERE reminder_name = 'rescan' AND grain_id LIKE '%{Peers.PureFtpd}%'", connection))
            Assert.Equal((long)TimeSpan.FromDays(7).TotalMilliseconds, (long)(await reminder.ExecuteScalarAsync())!);
    }

    /// <summary>
    /// A self-signed FTPS certificate: the scan is refused and its error names the certificate's fingerprint; the owner
    /// declares that fingerprint in "trust", and the next scan succeeds. The pin reads back and stays on a re-declaration
    /// that does not mention it.
    /// </summary>
    [Fact]
    public async Task Self_signed_ftps_certificate_is_accepted_once_its_fingerprint_is_declared()
    {
        PrepareTiles();
        var project = await web.CreateProjectAsync("Projet FTPS auto-signé");
        var d = $"/api/projects/{project.Id}/deliverables/{project.Deliverables[0]}";
        using var editor = web.Client(project.EditorKey);
        using var anonymous = web.Client();
        // Implicit FTPS on a port no other test of this process counts connections on (DownloadLimitTests samples the
        // explicit one, and this test's pool keeps its connections open for a while after the scan).
        var storage = new JsonObject
        {
            ["type"] = "ftp", ["tls"] = "implicit", ["host"] = "127.0.0.1", ["port"] = Peers.VsftpdImplicit,
            ["path"] = "/webfront-tests/dalles", ["username"] = Peers.User, ["password"] = Peers.Password,
        };

        Assert.Equal(HttpStatusCode.Accepted, (await editor.PutAsJsonAsync($"{d}/storage", storage)).StatusCode);
        var refused = await ScanStates.SettledAsync(anonymous, d);
        Assert.Equal("failed", refused["status"]!.GetValue<string>());
        string error = refused["lastError"]!.GetValue<string>();
        var fingerprint = System.Text.RegularExpressions.Regex.Match(error, "SHA256:[A-Za-z0-9+/]{43}", System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1));
        Assert.True(fingerprint.Success, error);

        storage["trust"] = new JsonArray(fingerprint.Value);
        Assert.Equal(HttpStatusCode.Accepted, (await editor.PutAsJsonAsync($"{d}/storage", storage)).StatusCode);
        var accepted = await ScanStates.SettledAsync(anonymous, d);
        Assert.Equal("succeeded", accepted["status"]!.GetValue<string>());
        var json = await WebFrontFixture.ReadJsonAsync(await anonymous.GetAsync($"/api/projects/{project.Id}"));
        var declared = json["deliverables"]![0]!["storage"]!;
        Assert.Equal(TileNames.Length, declared["scan"]!["tiles"]!.GetValue<long>());
        Assert.Equal(fingerprint.Value, declared["trust"]![0]!.GetValue<string>());

        // A re-declaration without "trust" keeps the pin.
        storage.Remove("trust");
        Assert.Equal(HttpStatusCode.Accepted, (await editor.PutAsJsonAsync($"{d}/storage", storage)).StatusCode);
        Assert.Equal("succeeded", (await ScanStates.SettledAsync(anonymous, d))["status"]!.GetValue<string>());
        json = await WebFrontFixture.ReadJsonAsync(await anonymous.GetAsync($"/api/projects/{project.Id}"));
        Assert.Equal(fingerprint.Value, json["deliverables"]![0]!["storage"]!["trust"]![0]!.GetValue<string>());
    }
}
