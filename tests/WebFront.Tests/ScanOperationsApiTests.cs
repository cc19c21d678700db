using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Npgsql;
using Pcrs.TestSupport;

namespace Pcrs.WebFront.Tests;

/// <summary>
/// Pause and resume (every storage, one storage), connection limit and rescan period of a storage: administrators only,
/// kept in PostgreSQL, and obeyed by the storage's grain (a paused storage starts no scan, a resumed one does).
/// </summary>
[Collection(WebFrontCollection.Name)]
public sealed class ScanOperationsApiTests(WebFrontFixture web) : IClassFixture<WebFrontFixture>
{
    private async Task<(CreatedProject Project, string Deliverable)> ScannedHttpStorageAsync(string name, string folder)
    {
        var project = await web.CreateProjectAsync(name);
        var d = $"/api/projects/{project.Id}/deliverables/{project.Deliverables[0]}";
        using var admin = web.Client(WebFrontFixture.AdminToken);
        // Its own folder (a storage per test: the pause of one must not stop another test's scan).
        Directory.CreateDirectory(Path.Combine(Peers.DataDir, "webfront-tests", folder));
        File.Copy(Path.Combine(Peers.FixturesDir, "cc48_rgb_tiled_deflate.tif"), Path.Combine(Peers.DataDir, "webfront-tests", folder, "dalle.tif"), overwrite: true);
        var declare = await admin.PutAsJsonAsync($"{d}/storage", new JsonObject
        {
            ["type"] = "http", ["url"] = $"http://127.0.0.1:{Peers.Nginx}/webfront-tests/{folder}/",
        }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Accepted, declare.StatusCode);
        await ScanStates.SucceededAsync(admin, d);
        return (project, d);
    }

    private static async Task<int> ScanCountAsync(HttpClient admin, string deliverable) =>
        (await WebFrontFixture.ReadJsonAsync(await admin.GetAsync($"{deliverable}/scans", TestContext.Current.CancellationToken)))["scans"]!.AsArray().Count;

    [Fact]
    public async Task Only_administrators_see_or_change_scanning_controls()
    {
        var (project, d) = await ScannedHttpStorageAsync("Projet contrôles d'exploitation", "ops-controls-auth");
        var other = await web.CreateProjectAsync("Autre projet (contrôles)");
        var body = new JsonObject { ["paused"] = false, ["maxConnections"] = 2, ["rescanDays"] = 7 };
        using var anonymous = web.Client();
        using var editor = web.Client(project.EditorKey);
        using var otherEditor = web.Client(other.EditorKey);
        foreach (var (route, routeBody) in new[] { ($"{d}/scan/operations", body), ("/api/admin/scanning", new JsonObject { ["paused"] = false }) })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(route, TestContext.Current.CancellationToken)).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PutAsJsonAsync(route, routeBody, TestContext.Current.CancellationToken)).StatusCode);
            // The deliverable's own editor may not either: the settings hold for every deliverable on the storage.
            Assert.Equal(HttpStatusCode.Forbidden, (await editor.GetAsync(route, TestContext.Current.CancellationToken)).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await editor.PutAsJsonAsync(route, routeBody, TestContext.Current.CancellationToken)).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await otherEditor.PutAsJsonAsync(route, routeBody, TestContext.Current.CancellationToken)).StatusCode);
        }

        using var admin = web.Client(WebFrontFixture.AdminToken);
        var bad = await admin.PutAsJsonAsync($"{d}/scan/operations", new JsonObject { ["maxConnections"] = 0, ["rescanDays"] = 400 }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = (await WebFrontFixture.ReadJsonAsync(bad))["errors"]!.AsObject().Select(e => e.Key).ToList();
        Assert.Contains("maxConnections", errors);
        Assert.Contains("rescanDays", errors);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/api/projects/{other.Id}/deliverables/{other.Deliverables[0]}/scan/operations", TestContext.Current.CancellationToken)).StatusCode);

        // Set, read back, and kept in the database (where every silo's grain reads it).
        var set = await WebFrontFixture.ReadJsonAsync(await admin.PutAsJsonAsync($"{d}/scan/operations", body, TestContext.Current.CancellationToken));
        Assert.Equal(2, set["maxConnections"]!.GetValue<int>());
        var read = await WebFrontFixture.ReadJsonAsync(await admin.GetAsync($"{d}/scan/operations", TestContext.Current.CancellationToken));
        Assert.Equal(7, read["rescanDays"]!.GetValue<int>());
        Assert.False(read["paused"]!.GetValue<bool>());
        await using var connection = new NpgsqlConnection(web.ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var query = new NpgsqlCommand("SELECT max_connections, rescan_days FROM pcrs_storage_operations WHERE storage_key = $1", connection);
        query.Parameters.Add(new() { Value = read["storage"]!.GetValue<string>() });
        await using var row = await query.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        Assert.True(await row.ReadAsync(TestContext.Current.CancellationToken));
        Assert.Equal(2, row.GetInt32(0));
        Assert.Equal(7, row.GetInt32(1));
    }

    [Fact]
    public async Task A_paused_storage_starts_no_scan_and_a_resumed_one_does()
    {
        var (_, d) = await ScannedHttpStorageAsync("Projet mis en pause", "ops-controls-pause");
        using var admin = web.Client(WebFrontFixture.AdminToken);
        int before = await ScanCountAsync(admin, d);

        var paused = await WebFrontFixture.ReadJsonAsync(await admin.PutAsJsonAsync($"{d}/scan/operations", new JsonObject { ["paused"] = true }, TestContext.Current.CancellationToken));
        Assert.True(paused["paused"]!.GetValue<bool>());
        // A scan request reaches the grain (the call returns after it decided): no scan was opened.
        Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsync($"{d}/scan", null, TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(before, await ScanCountAsync(admin, d));
        Assert.Equal("succeeded", (await WebFrontFixture.ReadJsonAsync(await admin.GetAsync($"{d}/scan/storage", TestContext.Current.CancellationToken)))["status"]!.GetValue<string>());

        await admin.PutAsJsonAsync($"{d}/scan/operations", new JsonObject { ["paused"] = false }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsync($"{d}/scan", null, TestContext.Current.CancellationToken)).StatusCode);
        Assert.Equal(before + 1, await ScanCountAsync(admin, d));
        await ScanStates.SucceededAsync(admin, d);
    }

    [Fact]
    public async Task Pausing_every_storage_holds_until_resumed()
    {
        var (_, d) = await ScannedHttpStorageAsync("Projet pause générale", "ops-controls-global");
        using var admin = web.Client(WebFrontFixture.AdminToken);
        int before = await ScanCountAsync(admin, d);
        try
        {
            var all = await WebFrontFixture.ReadJsonAsync(await admin.PutAsJsonAsync("/api/admin/scanning", new JsonObject { ["paused"] = true }, TestContext.Current.CancellationToken));
            Assert.True(all["paused"]!.GetValue<bool>());
            Assert.True((await WebFrontFixture.ReadJsonAsync(await admin.GetAsync("/api/admin/scanning", TestContext.Current.CancellationToken)))["paused"]!.GetValue<bool>());
            var storage = await WebFrontFixture.ReadJsonAsync(await admin.GetAsync($"{d}/scan/operations", TestContext.Current.CancellationToken));
            Assert.True(storage["pausedEverywhere"]!.GetValue<bool>());
            Assert.False(storage["paused"]!.GetValue<bool>());
            await admin.PostAsync($"{d}/scan", null, TestContext.Current.CancellationToken);
            Assert.Equal(before, await ScanCountAsync(admin, d));
            Assert.Equal(HttpStatusCode.BadRequest, (await admin.PutAsJsonAsync("/api/admin/scanning", new JsonObject(), TestContext.Current.CancellationToken)).StatusCode);
        }
        finally
        {
            await admin.PutAsJsonAsync("/api/admin/scanning", new JsonObject { ["paused"] = false }, TestContext.Current.CancellationToken);
        }
        await admin.PostAsync($"{d}/scan", null, TestContext.Current.CancellationToken);
        Assert.Equal(before + 1, await ScanCountAsync(admin, d));
    }

    /// <summary>
    /// A deliverable whose login was refused is no handle on the storage it names (another deliverable may crawl it with
    /// a proven login): 409, nothing kept. A revoked declaration is gone: 404.
    /// </summary>
    [Fact]
    public async Task An_unproven_declaration_or_a_revoked_storage_gives_no_control()
    {
        var ct = TestContext.Current.CancellationToken;
        using var admin = web.Client(WebFrontFixture.AdminToken);
        var refused = await web.CreateProjectAsync("Projet au mot de passe refusé");
        var r = $"/api/projects/{refused.Id}/deliverables/{refused.Deliverables[0]}";
        Assert.Equal(HttpStatusCode.Accepted, (await admin.PutAsJsonAsync($"{r}/storage", new JsonObject
        {
            ["type"] = "ftp", ["host"] = "127.0.0.1", ["port"] = Peers.VsftpdFtp, ["path"] = "/webfront-tests",
            ["username"] = Peers.User, ["password"] = "not-the-peers-password",
        }, ct)).StatusCode);
        Assert.Equal("failed", (await ScanStates.SettledAsync(admin, r))["status"]!.GetValue<string>());
        long before = await OperationRowsAsync();

        var read = await admin.GetAsync($"{r}/scan/operations", ct);
        Assert.Equal(HttpStatusCode.Conflict, read.StatusCode);
        Assert.Contains("failed", (await WebFrontFixture.ReadJsonAsync(read))["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        var change = await admin.PutAsJsonAsync($"{r}/scan/operations", new JsonObject { ["paused"] = true, ["maxConnections"] = 1 }, ct);
        Assert.Equal(HttpStatusCode.Conflict, change.StatusCode);
        Assert.Equal("application/problem+json", change.Content.Headers.ContentType?.MediaType);
        Assert.Equal(before, await OperationRowsAsync());

        var (_, d) = await ScannedHttpStorageAsync("Projet révoqué (contrôles)", "ops-controls-revoked");
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync($"{d}/scan/operations", ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"{d}/storage", ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"{d}/scan/operations", ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PutAsJsonAsync($"{d}/scan/operations", new JsonObject { ["paused"] = true }, ct)).StatusCode);
    }

    private async Task<long> OperationRowsAsync()
    {
        await using var connection = new NpgsqlConnection(web.ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var count = new NpgsqlCommand("SELECT count(*) FROM pcrs_storage_operations", connection);
        return (long)(await count.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;
    }
}
