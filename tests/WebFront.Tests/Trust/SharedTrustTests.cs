using System.Net;
using System.Text.Json.Nodes;
using Pcrs.TestSupport;

namespace Pcrs.WebFront.Tests.Trust;

/// <summary>
/// Two projects on one storage account (same protocol family, host, port and user): the reproductions on the real
/// servers. Project 1 declares the right credentials under its own start path; project 2 declares the same account with a
/// wrong password or TLS mode, wider. The wrong declaration fails alone with the server's reason, project 1 is unaffected
/// before and after (rescans, re-declaration), and project 2 never lists, counts or downloads anything.
/// </summary>
[Collection(WebFrontCollection.Name)]
public sealed class SharedTrustTests(TrustFixture web) : IClassFixture<TrustFixture>
{
    public static TheoryData<string> Accounts => ["sftp", "ftp", "ftp-explicit", "ftp-implicit", "http-basic"];

    /// <summary>A declaration body on one of the peers' accounts, at <paramref name="path"/>, with <paramref name="password"/>.</summary>
    private static JsonObject Storage(string account, string path, string password, string? tls = null)
    {
        if (account == "http-basic")
        {
            return new JsonObject
            {
                ["type"] = "http", ["url"] = $"http://127.0.0.1:{Peers.Nginx}/private{path.TrimEnd('/')}/",
                ["username"] = Peers.User, ["password"] = password, ["downloadAllowed"] = true,
            };
        }
        var (type, port, mode) = account switch
        {
            "sftp" => ("sftp", Peers.Sftp, (string?)null),
            "ftp" => ("ftp", Peers.VsftpdFtp, "none"),
            "ftp-explicit" => ("ftp", Peers.VsftpdFtpsReuse, "explicit"),
            "ftp-implicit" => ("ftp", Peers.VsftpdImplicit, "implicit"),
            _ => throw new ArgumentOutOfRangeException(nameof(account)),
        };
        var body = new JsonObject
        {
            ["type"] = type, ["host"] = "127.0.0.1", ["port"] = port, ["path"] = path,
            ["username"] = Peers.User, ["password"] = password, ["downloadAllowed"] = true,
        };
        if (type == "ftp")
            body["tls"] = tls ?? mode;
        return body;
    }

    [Theory]
    [MemberData(nameof(Accounts))]
    public async Task A_wrong_password_on_a_shared_account_fails_alone_and_sees_nothing(string account)
    {
        string tree = TrustFixture.Tree($"pw-{account}-{Guid.NewGuid():N}"[..24]);
        // nginx serves the same tree under /private/, behind Basic authentication.
        string served = account == "http-basic" ? "/private" + tree : tree;
        var p1 = await web.CreateProjectAsync("Projet 1 (mot de passe juste)");
        var p2 = await web.CreateProjectAsync("Projet 2 (mot de passe faux)");

        // 1. Project 1 declares the right password under its own start path: its scan succeeds.
        var d1 = await web.DeclareAsync(p1, 0, Storage(account, tree + "/ortho", Peers.Password));
        var first = await web.SettledScanAsync(d1);
        Assert.True(first["status"]!.GetValue<string>() == "succeeded", first.ToJsonString());
        await AssertSeesTilesAsync(d1, served + "/ortho", TrustFixture.TileNames.Length);

        // 2. Project 2 knows host, port and user, not the password, and declares the whole storage.
        var d2 = await web.DeclareAsync(p2, 0, Storage(account, "/", "not-the-password-" + account));
        var refused = await web.SettledScanAsync(d2);
        Assert.Equal("failed", refused["status"]!.GetValue<string>());
        Assert.False(string.IsNullOrWhiteSpace(refused["lastError"]?.GetValue<string>()), refused.ToJsonString());
        await AssertSeesNothingAsync(p2, d2, served + "/ortho/" + TrustFixture.TileNames[0]);

        // Project 1's next rescan still uses its own proven login, and sees exactly what it saw.
        var rescan = await web.RescanAsync(p1, d1);
        Assert.True(rescan["status"]!.GetValue<string>() == "succeeded", rescan.ToJsonString());
        await AssertSeesTilesAsync(d1, served + "/ortho", TrustFixture.TileNames.Length);

        // 3. Project 1 re-declares its right password (the obvious repair): project 2 still sees nothing.
        await web.DeclareAsync(p1, 0, Storage(account, tree + "/ortho", Peers.Password));
        var again = await web.SettledScanAsync(d1);
        Assert.True(again["status"]!.GetValue<string>() == "succeeded", again.ToJsonString());
        Assert.Equal("failed", (await web.SettledScanAsync(d2))["status"]!.GetValue<string>());
        await AssertSeesNothingAsync(p2, d2, served + "/ortho/" + TrustFixture.TileNames[0]);
        Assert.False(web.Messages.Contains(Peers.Password), "a grain message carried the plain password");
        Assert.False(web.Messages.Contains("not-the-password-" + account), "a grain message carried the wrong plain password");
    }

    /// <summary>4. A TLS mode the server does not speak on that port fails alone, and the right one goes on.</summary>
    [Theory]
    [InlineData("ftp", "explicit")]
    [InlineData("ftp-implicit", "none")]
    public async Task A_wrong_tls_mode_on_a_shared_account_fails_alone(string account, string wrongTls)
    {
        string tree = TrustFixture.Tree($"tls-{account}-{Guid.NewGuid():N}"[..24]);
        var p1 = await web.CreateProjectAsync("Projet 1 (TLS juste)");
        var p2 = await web.CreateProjectAsync("Projet 2 (TLS faux)");
        var d1 = await web.DeclareAsync(p1, 0, Storage(account, tree + "/ortho", Peers.Password));
        Assert.Equal("succeeded", (await web.SettledScanAsync(d1))["status"]!.GetValue<string>());

        // Right password, wrong TLS mode: the login is not proven, so nothing changes for project 1.
        var d2 = await web.DeclareAsync(p2, 0, Storage(account, "/", Peers.Password, wrongTls));
        var refused = await web.SettledScanAsync(d2);
        Assert.Equal("failed", refused["status"]!.GetValue<string>());
        await AssertSeesNothingAsync(p2, d2, tree + "/ortho/" + TrustFixture.TileNames[0]);

        var rescan = await web.RescanAsync(p1, d1);
        Assert.True(rescan["status"]!.GetValue<string>() == "succeeded", rescan.ToJsonString());
        await AssertSeesTilesAsync(d1, tree + "/ortho", TrustFixture.TileNames.Length);
    }

    /// <summary>
    /// HTTP Basic authentication is per folder: a public folder lists with any password. A declaration whose wrong
    /// password opened only a public folder does not share what the account's real password crawled.
    /// </summary>
    [Fact]
    public async Task A_wrong_http_password_that_opens_a_public_folder_sees_nothing_of_the_account()
    {
        string tree = TrustFixture.Tree($"pub-{Guid.NewGuid():N}"[..20]);
        var p1 = await web.CreateProjectAsync("Projet 1 (dossier protégé)");
        var p2 = await web.CreateProjectAsync("Projet 2 (dossier public)");
        var d1 = await web.DeclareAsync(p1, 0, Storage("http-basic", tree + "/ortho", Peers.Password));
        Assert.Equal("succeeded", (await web.SettledScanAsync(d1))["status"]!.GetValue<string>());

        // Same account (user "peer" on the same server), wrong password, on nginx's public tree that holds /private too.
        var d2 = await web.DeclareAsync(p2, 0, new JsonObject
        {
            ["type"] = "http", ["url"] = $"http://127.0.0.1:{Peers.Nginx}{tree}/",
            ["username"] = Peers.User, ["password"] = "guessed", ["downloadAllowed"] = true,
        });
        var refused = await web.SettledScanAsync(d2);
        Assert.Equal("failed", refused["status"]!.GetValue<string>());
        await AssertSeesNothingAsync(p2, d2, "/private" + tree + "/ortho/" + TrustFixture.TileNames[0]);
        await AssertSeesTilesAsync(d1, "/private" + tree + "/ortho", TrustFixture.TileNames.Length);
    }

    /// <summary>Tiles, counts and the project document of a deliverable that may see <paramref name="folder"/>.</summary>
    private async Task AssertSeesTilesAsync(string deliverable, string folder, int tiles)
    {
        using var anonymous = web.Client();
        var collection = await WebFrontFixture.ReadJsonAsync(await anonymous.GetAsync($"{deliverable}/tiles"));
        var paths = collection["features"]!.AsArray().Select(f => f!["properties"]!["path"]!.GetValue<string>()).ToList();
        Assert.Equal(tiles, paths.Count);
        Assert.All(paths, p => Assert.StartsWith(folder + "/", p));
        var scan = await WebFrontFixture.ReadJsonAsync(await anonymous.GetAsync($"{deliverable}/scan"));
        // Its own subtree only: the text file next to it, in another folder of the account, is not counted.
        Assert.Equal(tiles, scan["progress"]!["files"]!.GetValue<long>());
    }

    /// <summary>Project 2's deliverable: no tiles, no counts, no summary, no download, nothing in the exports.</summary>
    private async Task AssertSeesNothingAsync(CreatedProject project, string deliverable, string someoneElsesFile)
    {
        using var anonymous = web.Client();
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"{deliverable}/tiles")).StatusCode);
        var download = await anonymous.GetAsync($"{deliverable}/files{someoneElsesFile}");
        Assert.Equal(HttpStatusCode.NotFound, download.StatusCode);
        var scan = await WebFrontFixture.ReadJsonAsync(await anonymous.GetAsync($"{deliverable}/scan"));
        var progress = scan["progress"]!.AsObject();
        Assert.All(progress, p => Assert.Equal(0, p.Value!.GetValue<long>()));
        Assert.Null(scan["lastSuccessAt"]?.GetValue<DateTimeOffset?>());
        var document = await WebFrontFixture.ReadJsonAsync(await anonymous.GetAsync($"/api/projects/{project.Id}"));
        var summary = document["deliverables"]![0]!["storage"]!["scan"]!;
        Assert.Null(summary["tiles"]?.GetValue<long?>());
        Assert.Null(summary["filesScanned"]?.GetValue<long?>());
        var tilesExport = await anonymous.GetStringAsync("/api/exports/dalles.geojson");
        Assert.DoesNotContain(project.Id.ToString(), tilesExport);
        var extents = await anonymous.GetStringAsync("/api/exports/livrables.geojson");
        Assert.DoesNotContain(project.Id.ToString(), extents);
        var csv = await anonymous.GetStringAsync("/api/exports/livrables.csv");
        var row = csv.Split('\n').Single(line => line.Contains(project.Deliverables[0].ToString(), StringComparison.Ordinal));
        // nb_dalles, poids, format, epsg, date_scan: the last five columns, all empty.
        Assert.EndsWith(",,,,,", row.TrimEnd('\r'));
    }
}
