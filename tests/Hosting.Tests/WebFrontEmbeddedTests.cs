using System.Net;
using System.Runtime.Versioning;
using System.Text.Json;
using Npgsql;
using Pcrs.Hosting.Tests.Support;

namespace Pcrs.Hosting.Tests;

/// <summary>
/// The README's default: `Pcrs.WebFront` with no connection string runs its own PostgreSQL in a data folder,
/// serves /, /alive and /health, and what it stored is still there after a restart.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class WebFrontEmbeddedTests : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(150);
    private readonly string _dataDirectory;
    private readonly int _httpPort = FreePort.Next();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(20) };
    private readonly List<ProductProcess> _processes = [];

    public WebFrontEmbeddedTests()
    {
        // Under /tmp with mode 755 on the way down: as root, the server runs as postgres and must reach the folder.
        string parent = Path.Combine(Path.GetTempPath(), "pcrs-hosting-tests");
        Directory.CreateDirectory(parent);
        File.SetUnixFileMode(parent, (UnixFileMode)0b111_101_101);
        _dataDirectory = Path.Combine(parent, Guid.NewGuid().ToString("N")[..8]);
    }

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        foreach (ProductProcess process in _processes)
        {
            await process.DisposeAsync();
        }

        _http.Dispose();
        NpgsqlConnection.ClearAllPools();
        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }

    private ProductProcess StartWebFront(params (string Key, string Value)[] extra)
    {
        var environment = new Dictionary<string, string?>
        {
            ["Database__DataDirectory"] = _dataDirectory,
            ["Orleans__Endpoints__SiloPort"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Orleans__Endpoints__GatewayPort"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        foreach ((string key, string value) in extra)
        {
            environment[key] = value;
        }

        ProductProcess process = ProductProcess.Start("webfront", "Pcrs.WebFront", environment, "--urls", $"http://127.0.0.1:{_httpPort}");
        _processes.Add(process);
        return process;
    }

    private async Task<HttpResponseMessage> GetAsync(string path) =>
        await _http.GetAsync($"http://127.0.0.1:{_httpPort}{path}", TestContext.Current.CancellationToken);

    private async Task WaitHealthyAsync(ProductProcess process)
    {
        Assert.True(await process.WaitHealthyAsync($"http://127.0.0.1:{_httpPort}", StartTimeout), "WebFront should become healthy.\n" + process);
    }

    private string EmbeddedConnectionString()
    {
        using JsonDocument state = JsonDocument.Parse(File.ReadAllText(Path.Combine(_dataDirectory, "embedded-postgres.json")));
        return new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = state.RootElement.GetProperty("Port").GetInt32(),
            Username = "pcrs",
            Password = state.RootElement.GetProperty("Password").GetString(),
            Database = "pcrs",
            Pooling = false,
        }.ConnectionString;
    }

    private async Task<object?> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(EmbeddedConnectionString());
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync(TestContext.Current.CancellationToken);
    }

    [Fact(Timeout = 600_000)]
    public async Task Runs_its_own_postgresql_serves_the_pages_and_keeps_data_across_restarts()
    {
        ProductProcess first = StartWebFront();
        await WaitHealthyAsync(first);

        HttpResponseMessage home = await GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
        Assert.Contains("PCRS", await home.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal(HttpStatusCode.OK, (await GetAsync("/alive")).StatusCode);
        Assert.Equal("Healthy", await (await GetAsync("/health")).Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        // No administrator configured: a token was made, printed once, written to a mode-600 file; only its hash is stored.
        string tokenFile = Path.Combine(_dataDirectory, "admin-token");
        string token = (await File.ReadAllTextAsync(tokenFile, TestContext.Current.CancellationToken)).Trim();
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(tokenFile));
        Assert.Contains("Administrator token: " + token, first.Output, StringComparison.Ordinal);
        Assert.Equal(Sha256Hex(token), await ScalarAsync("SELECT token_hash FROM generated_admin_token"));
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostProjectAsync(null)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await PostProjectAsync(token)).StatusCode); // past the auth check: the empty body is refused
        // The API reference is served outside Development too.
        Assert.Equal(HttpStatusCode.OK, (await GetAsync("/scalar/v1")).StatusCode);

        await ScalarAsync("CREATE TABLE survivors (note text); INSERT INTO survivors VALUES ('written before the restart')");
        long keys = (long)(await ScalarAsync("SELECT count(*) FROM data_protection_keys"))!;
        Assert.True(keys >= 1, "The Data Protection key ring should be stored in PostgreSQL.");
        string password = JsonDocument.Parse(File.ReadAllText(Path.Combine(_dataDirectory, "embedded-postgres.json")))
            .RootElement.GetProperty("Password").GetString()!;
        Assert.DoesNotContain(password, first.Output, StringComparison.Ordinal);

        await first.StopAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(0, first.ExitCode);
        string pidFile = Path.Combine(_dataDirectory, "cluster", "postmaster.pid");
        Assert.False(File.Exists(pidFile), "Stopping the web front should stop its PostgreSQL.\n" + first);

        // A crash can leave a pid file behind whose process is gone: the next start must not trip on it.
        await File.WriteAllTextAsync(pidFile, $"{int.MaxValue - 7}\n{_dataDirectory}/cluster\n0\n5432\n\n\n\n\n",
            TestContext.Current.CancellationToken);

        ProductProcess second = StartWebFront();
        await WaitHealthyAsync(second);
        Assert.Equal("written before the restart", await ScalarAsync("SELECT note FROM survivors"));
        Assert.Equal(keys, (long)(await ScalarAsync("SELECT count(*) FROM data_protection_keys"))!);
        Assert.DoesNotContain("Creating the embedded PostgreSQL cluster", second.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Administrator token", second.Output, StringComparison.Ordinal); // made once, at the first start
        Assert.Equal(HttpStatusCode.BadRequest, (await PostProjectAsync(token)).StatusCode);
        await second.StopAsync(TimeSpan.FromSeconds(60));

        // An administrator configured: the generated token no longer opens anything, and none is made.
        ProductProcess third = StartWebFront(("Auth__AdminTokenHashes", Sha256Hex("configured-admin")));
        await WaitHealthyAsync(third);
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostProjectAsync(token)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await PostProjectAsync("configured-admin")).StatusCode);
        Assert.DoesNotContain("Administrator token", third.Output, StringComparison.Ordinal);
    }

    private static string Sha256Hex(string token) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token)));

    private async Task<HttpResponseMessage> PostProjectAsync(string? bearer)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{_httpPort}/api/projects")
        {
            Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json"),
        };
        if (bearer is not null)
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", bearer);
        return await _http.SendAsync(request, TestContext.Current.CancellationToken);
    }

    [Fact(Timeout = 120_000)]
    public async Task A_misspelled_setting_stops_the_start_naming_it()
    {
        ProductProcess process = StartWebFront(("Scanning__MaxConnectionPerStorage", "3"), ("Scanning__AllowedNetworks", "127.0.0.0/8,10.0.0.0/8"));

        int exitCode = await process.WaitForExitAsync(TimeSpan.FromSeconds(90), TestContext.Current.CancellationToken);

        Assert.Equal(2, exitCode);
        Assert.Contains("did you mean Scanning:MaxConnectionsPerStorage?", process.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("AllowedNetworks", process.Output, StringComparison.Ordinal); // the comma-separated list is fine
        Assert.DoesNotContain("   at ", process.Output, StringComparison.Ordinal);
    }

    [Fact(Timeout = 120_000)]
    public async Task Missing_postgresql_programs_give_one_clear_line()
    {
        ProductProcess process = StartWebFront(("Database__BinDirectory", "/nonexistent/postgresql/bin"));

        int exitCode = await process.WaitForExitAsync(TimeSpan.FromSeconds(90), TestContext.Current.CancellationToken);

        Assert.Equal(2, exitCode);
        Assert.Contains("apt-get install postgresql", process.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", process.Output, StringComparison.Ordinal);
    }
}
