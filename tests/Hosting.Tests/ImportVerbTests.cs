using System.Globalization;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Text;
using Pcrs.Hosting.Tests.Support;
using Pcrs.TestSupport;

namespace Pcrs.Hosting.Tests;

/// <summary>
/// `Pcrs.Silo import FILE` against a real `Pcrs.WebFront` process: one line printed per imported or refused line, the
/// exit code says whether all were imported, and the token decides who may import (none, an unknown one: refused).
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class ImportVerbTests : IAsyncLifetime
{
    private const string AdminToken = "import-verb-admin-token";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(150);
    private readonly TestDatabase _database = new();
    private readonly int _httpPort = FreePort.Next();
    private readonly List<ProductProcess> _processes = [];
    private string _folder = "";

    public async ValueTask InitializeAsync()
    {
        await _database.InitializeAsync();
        _folder = Directory.CreateTempSubdirectory("pcrs-import-verb-").FullName;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (ProductProcess process in _processes)
        {
            await process.DisposeAsync();
        }

        await _database.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    private async Task StartWebFrontAsync()
    {
        string Port() => FreePort.Next().ToString(CultureInfo.InvariantCulture);
        string cluster = "import-" + _database.Name;
        ProductProcess web = ProductProcess.Start("webfront", "Pcrs.WebFront", new Dictionary<string, string?>
        {
            ["ConnectionStrings__Pcrs"] = _database.ConnectionString,
            ["Orleans__ClusterId"] = cluster,
            ["Orleans__ServiceId"] = cluster,
            ["Orleans__Endpoints__SiloPort"] = Port(),
            ["Orleans__Endpoints__GatewayPort"] = Port(),
            ["Secrets__KeyFile"] = Path.Combine(_folder, "key-encryption.key"),
            ["Database__DataDirectory"] = Path.Combine(_folder, "data"),
            ["Auth__AdminTokenHashes"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(AdminToken))),
            ["Scanning__AllowedNetworks"] = "127.0.0.0/8",
        }, "--urls", $"http://127.0.0.1:{_httpPort}");
        _processes.Add(web);
        Assert.True(await web.WaitHealthyAsync($"http://127.0.0.1:{_httpPort}", StartTimeout), "WebFront should become healthy.\n" + web);
    }

    private async Task<ProductProcess> ImportAsync(string file, string? token, params string[] extra)
    {
        var environment = new Dictionary<string, string?> { ["PCRS_ADMIN_TOKEN"] = token };
        ProductProcess verb = ProductProcess.Start("import", "Pcrs.Silo", environment,
            ["import", file, "--url", $"http://127.0.0.1:{_httpPort}", .. extra]);
        _processes.Add(verb);
        await verb.WaitForExitAsync(TimeSpan.FromMinutes(2), TestContext.Current.CancellationToken);
        return verb;
    }

    [Fact]
    public async Task Import_verb_prints_each_line_and_exits_by_outcome()
    {
        await StartWebFrontAsync();
        string csv = Path.Combine(_folder, "storages.csv");
        await File.WriteAllTextAsync(csv,
            "name,regime,nature,perimeters,deliverable,deliverableNature,licence,type,url,downloadAllowed\n" +
            $"Import verbe HTTP,production,raster,epci:200039865,Ortho,geotiff,ouvert_lo,http,http://127.0.0.1:{Peers.Nginx}/fixtures/,true\n" +
            "Import verbe faux,production,raster,epci:200039865,Ortho,geotiff,ouvert_lo,gopher,,\n",
            TestContext.Current.CancellationToken);

        // No token, an unknown token: nothing imported, exit 2 with the reason.
        ProductProcess anonymous = await ImportAsync(csv, token: null);
        Assert.Equal(2, anonymous.ExitCode);
        Assert.Contains("PCRS_ADMIN_TOKEN", anonymous.Output, StringComparison.Ordinal);
        ProductProcess stranger = await ImportAsync(csv, token: "not-an-admin");
        Assert.Equal(2, stranger.ExitCode);
        Assert.Contains("401", stranger.Output, StringComparison.Ordinal);
        Assert.Equal(0, await _database.ScalarAsync<int>("SELECT count(*) FROM pcrs_projects"));

        // The administrator: line 2 imported, line 3 refused naming the field; exit 1 (some refused).
        ProductProcess admin = await ImportAsync(csv, AdminToken);
        Assert.True(admin.ExitCode == 1, admin.ToString());
        Assert.Matches(@"line 2: imported project [0-9a-f-]{36} deliverables [0-9a-f-]{36} editor key \S+", admin.Output);
        Assert.Contains("line 3: refused: storages[0].type: Unknown value 'gopher'", admin.Output, StringComparison.Ordinal);
        Assert.Contains("2 lines: 1 imported, 1 refused", admin.Output, StringComparison.Ordinal);
        Assert.Equal(1, await _database.ScalarAsync<int>("SELECT count(*) FROM pcrs_projects WHERE name = 'Import verbe HTTP'"));
        Assert.Equal(0, await _database.ScalarAsync<int>("SELECT count(*) FROM pcrs_projects WHERE name = 'Import verbe faux'"));

        // A JSON file whose lines are all good: exit 0; the token may come from a file too.
        string json = Path.Combine(_folder, "projects.json");
        await File.WriteAllTextAsync(json, """
            [{"project": {"name": "Import verbe JSON", "regime": "maj", "nature": "vecteur", "perimeters": ["departement:57"],
                          "deliverables": [{"name": "Réseaux", "nature": "gml", "licence": "ferme"}]}}]
            """, TestContext.Current.CancellationToken);
        string tokenFile = Path.Combine(_folder, "admin-token");
        await File.WriteAllTextAsync(tokenFile, AdminToken + "\n", TestContext.Current.CancellationToken);
        ProductProcess fromJson = await ImportAsync(json, token: null, "--token-file", tokenFile);
        Assert.True(fromJson.ExitCode == 0, fromJson.ToString());
        Assert.Contains("1 lines: 1 imported, 0 refused", fromJson.Output, StringComparison.Ordinal);
    }
}
