using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Npgsql;
using Pcrs.TestSupport;

namespace Pcrs.WebFront.Tests.Trust;

/// <summary>
/// A password changed on the server, and many declarations of one account at once: each declaration's state is its own,
/// and one crawl serves the proven ones within the storage's connection limit.
/// </summary>
[Collection(WebFrontCollection.Name)]
public sealed class TrustChangeTests(TrustFixture web) : IClassFixture<TrustFixture>
{
    /// <summary>The peers' account for tests that change its password (tests/peers/start.sh creates it; nothing else uses it).</summary>
    private static string TrustUser => Environment.GetEnvironmentVariable("PEERS_TRUST_USER") is { Length: > 0 } user ? user : "pcrstrust";

    private static async Task SetServerPasswordAsync(string password)
    {
        var start = new ProcessStartInfo("chpasswd") { RedirectStandardInput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        await process.StandardInput.WriteLineAsync($"{TrustUser}:{password}");
        process.StandardInput.Close();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, await process.StandardError.ReadToEndAsync());
    }

    private static JsonObject Ftp(string path, string password, int? port = null, string tls = "none", string? user = null) => new()
    {
        ["type"] = "ftp", ["host"] = "127.0.0.1", ["port"] = port ?? Peers.VsftpdFtp, ["tls"] = tls, ["path"] = path,
        ["username"] = user ?? TrustUser, ["password"] = password, ["downloadAllowed"] = true,
    };

    [Fact]
    public async Task A_password_changed_on_the_server_shows_on_every_deliverable_and_each_owner_repairs_their_own()
    {
        string tree = TrustFixture.Tree($"chg-{Guid.NewGuid():N}"[..20]);
        string before = "before-" + Guid.NewGuid().ToString("N")[..8], after = "after-" + Guid.NewGuid().ToString("N")[..8];
        await SetServerPasswordAsync(before);
        var p1 = await web.CreateProjectAsync("Projet 1 (répare)");
        var p2 = await web.CreateProjectAsync("Projet 2 (ne répare pas)");
        var d1 = await web.DeclareAsync(p1, 0, Ftp(tree + "/ortho", before));
        var d2 = await web.DeclareAsync(p2, 0, Ftp(tree, before));
        Assert.Equal("succeeded", (await web.SettledScanAsync(d1))["status"]!.GetValue<string>());
        Assert.Equal("succeeded", (await web.SettledScanAsync(d2))["status"]!.GetValue<string>());

        await SetServerPasswordAsync(after);
        using (var editor = web.Client(p1.EditorKey))
            Assert.Equal(HttpStatusCode.Accepted, (await editor.PostAsync($"{d1}/scan", null)).StatusCode);
        // The crawl's login fails; every declaration holding the old password is asked again and shows it, in its own state.
        foreach (var d in new[] { d1, d2 })
        {
            var refused = await LoginRefusedAsync(d);
            Assert.Contains("no longer accepts", refused["lastError"]!.GetValue<string>(), StringComparison.Ordinal);
            using var anonymous = web.Client();
            Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"{d}/tiles")).StatusCode);
        }

        // Project 1's owner declares the new password: project 1 is scanned again and sees its tiles; project 2 does not.
        await web.DeclareAsync(p1, 0, Ftp(tree + "/ortho", after));
        var repaired = await web.SettledScanAsync(d1);
        Assert.True(repaired["status"]!.GetValue<string>() == "succeeded", repaired.ToJsonString());
        using (var anonymous = web.Client())
        {
            var tiles = await WebFrontFixture.ReadJsonAsync(await anonymous.GetAsync($"{d1}/tiles"));
            Assert.Equal(TrustFixture.TileNames.Length, tiles["features"]!.AsArray().Count);
            Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"{d2}/tiles")).StatusCode);
            Assert.Equal("failed", (await WebFrontFixture.ReadJsonAsync(await anonymous.GetAsync($"{d2}/scan")))["status"]!.GetValue<string>());
        }
        Assert.False(web.Messages.Contains(before) || web.Messages.Contains(after), "a grain message carried a plain password");
    }

    /// <summary>Waits until the deliverable's own declaration is refused (its scan state names the login).</summary>
    private async Task<JsonNode> LoginRefusedAsync(string deliverable)
    {
        using var anonymous = web.Client();
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var scan = await WebFrontFixture.ReadJsonAsync(await anonymous.GetAsync($"{deliverable}/scan"));
            if (scan["lastError"]?.GetValue<string>() is { } error && error.Contains("no longer accepts", StringComparison.Ordinal))
                return scan;
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(120), $"still {scan.ToJsonString()}");
            await Task.Delay(250);
        }
    }

    [Fact]
    public async Task Twenty_declarations_of_one_account_at_once_half_wrong_exactly_the_right_ones_succeed_with_one_crawl()
    {
        string tree = TrustFixture.Tree($"many-{Guid.NewGuid():N}"[..20]);
        const int Projects = 10;
        // Explicit FTPS on the port no other test of this process declares: every connection counted is this storage's.
        int port = Peers.VsftpdFtpsNoReuse;
        await using var sampler = new ConnectionSampler(port, ownProcessOnly: true);
        var projects = await Task.WhenAll(Enumerable.Range(0, Projects).Select(i => web.CreateProjectAsync($"Projet {i}", deliverables: 2)));
        var wrong = Enumerable.Range(0, Projects).Select(i => $"wrong-{i}-{Guid.NewGuid():N}"[..16]).ToArray();
        // Deliverable 0 of each project declares the right password, deliverable 1 a wrong one: all twenty at once.
        var declared = await Task.WhenAll(projects.SelectMany((project, i) => new[]
        {
            web.DeclareAsync(project, 0, Ftp(tree + "/ortho", Peers.Password, port, "explicit", Peers.User)),
            web.DeclareAsync(project, 1, Ftp(tree + "/ortho", wrong[i], port, "explicit", Peers.User)),
        }));
        var states = await Task.WhenAll(declared.Select(d => web.SettledScanAsync(d, TimeSpan.FromSeconds(240))));
        for (int i = 0; i < declared.Length; i++)
            Assert.True(states[i]["status"]!.GetValue<string>() == (i % 2 == 0 ? "succeeded" : "failed"), $"{declared[i]}: {states[i].ToJsonString()}");

        string key = $"ftp://{Peers.User}@127.0.0.1:{port}";
        await using var connection = new NpgsqlConnection(web.ConnectionString);
        await connection.OpenAsync();
        await using (var scans = new NpgsqlCommand("SELECT count(*) FROM pcrs_scans WHERE storage_key = @key", connection))
        {
            scans.Parameters.AddWithValue("key", key);
            Assert.Equal(1L, (long)(await scans.ExecuteScalarAsync())!);
        }
        // One cipher text per declaration, each different (no shared copy), and no plain password anywhere in a dump.
        var ciphertexts = new List<string>();
        await using (var secrets = new NpgsqlCommand("SELECT protected_secret FROM pcrs_storage_attachments WHERE storage_key = @key", connection))
        {
            secrets.Parameters.AddWithValue("key", key);
            await using var reader = await secrets.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                ciphertexts.Add(reader.GetString(0));
        }
        Assert.Equal(2 * Projects, ciphertexts.Count);
        Assert.Equal(2 * Projects, ciphertexts.Distinct().Count());
        var dump = await PgDump.RunAsync(web.DatabaseName);
        Assert.DoesNotContain(Peers.Password, dump);
        Assert.All(wrong, w => Assert.DoesNotContain(w, dump));
        Assert.All(ciphertexts, c => Assert.Equal(1, Occurrences(dump, c)));

        Assert.True(sampler.Samples >= 3, $"only {sampler.Samples} samples");
        Assert.InRange(sampler.Peak, 1, TrustFixture.Limit);
        // The grain messages of all of it (declarations, proofs, scans) hold cipher texts, never a password.
        Assert.True(web.Messages.Count > 0);
        Assert.True(web.Messages.Contains(ciphertexts[0]), "the recorder did not see the declarations");
        Assert.False(web.Messages.Contains(Peers.Password), "a grain message carried the plain password");
        Assert.All(wrong, w => Assert.False(web.Messages.Contains(w), "a grain message carried a wrong plain password"));
    }

    /// <summary>
    /// GET …/scan counts the deliverable's own subtree; the whole storage's counts (every start path of the account) are
    /// for administrators, on GET …/scan/storage.
    /// </summary>
    [Fact]
    public async Task The_scan_route_counts_the_own_subtree_and_the_storage_wide_view_is_for_administrators()
    {
        string tree = TrustFixture.Tree($"sub-{Guid.NewGuid():N}"[..20]);
        var project = await web.CreateProjectAsync("Projet sous-arbres", deliverables: 2);
        // Both on the peer account over plain FTP, with the right password: one holds the tiles, the other the text file.
        var tiles = await web.DeclareAsync(project, 0, Ftp(tree + "/ortho", Peers.Password, user: Peers.User));
        var text = await web.DeclareAsync(project, 1, Ftp(tree + "/other", Peers.Password, user: Peers.User));
        var own = await web.SettledScanAsync(tiles);
        Assert.True(own["status"]!.GetValue<string>() == "succeeded", own.ToJsonString());
        var other = await web.SettledScanAsync(text);
        Assert.True(other["status"]!.GetValue<string>() == "succeeded", other.ToJsonString());
        // Read again once both are attached: the storage's last scan crawled both start paths.
        own = await WebFrontFixture.ReadJsonAsync(await web.Client().GetAsync($"{tiles}/scan"));
        other = await WebFrontFixture.ReadJsonAsync(await web.Client().GetAsync($"{text}/scan"));
        Assert.Equal(TrustFixture.TileNames.Length, own["progress"]!["files"]!.GetValue<long>());
        Assert.Equal(1, own["progress"]!["directories"]!.GetValue<long>());
        Assert.Equal(1, other["progress"]!["files"]!.GetValue<long>());
        Assert.Equal(0, other["progress"]!["analysed"]!.GetValue<long>() + other["progress"]!["unchanged"]!.GetValue<long>());
        // The published field names of a scan's progress, exactly (the record behind them is the grains' ScanProgress),
        // then the extension: the code of lastError's sentence, which the pages show in French.
        Assert.Equal(["status", "progress", "lastSuccessAt", "lastError", "lastErrorCode"], own.AsObject().Select(p => p.Key));
        Assert.Equal(["directories", "files", "analysed", "unchanged", "errors", "bytesRead"], own["progress"]!.AsObject().Select(p => p.Key));

        using var anonymous = web.Client();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"{tiles}/scan/storage")).StatusCode);
        using var editor = web.Client(project.EditorKey);
        Assert.Contains((await editor.GetAsync($"{tiles}/scan/storage")).StatusCode, new[] { HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden });
        using var admin = web.Client(WebFrontFixture.AdminToken);
        var storage = await WebFrontFixture.ReadJsonAsync(await admin.GetAsync($"{tiles}/scan/storage"));
        Assert.True(storage["progress"]!["files"]!.GetValue<long>() >= TrustFixture.TileNames.Length + 1, storage.ToJsonString());
    }

    private static int Occurrences(string text, string value)
    {
        int count = 0;
        for (int at = text.IndexOf(value, StringComparison.Ordinal); at >= 0; at = text.IndexOf(value, at + value.Length, StringComparison.Ordinal))
            count++;
        return count;
    }
}
