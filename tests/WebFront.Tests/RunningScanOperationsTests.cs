using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Npgsql;
using Pcrs.TestSupport;

namespace Pcrs.WebFront.Tests;

/// <summary>
/// An administrator's scanning controls reach a scan that is running, not only the next one: a pause silences the
/// storage's server (read in vsftpd's protocol log) and says so in the status, a resume rescans with exact counts, and a
/// lower connection limit closes connections at the server down to the new limit (counted with <c>ss</c>). Both tests
/// reach vsftpd through one <see cref="LatencyRelay"/>, so they scan the same storage (the limit test after a pause of it,
/// in whichever order they run) and no scan is over before the test acts on it, however fast the machine.
/// </summary>
[Collection(WebFrontCollection.Name)]
public sealed class RunningScanOperationsTests(WebFrontFixture web, RunningScanOperationsTests.SlowFtp ftp)
    : IClassFixture<WebFrontFixture>, IClassFixture<RunningScanOperationsTests.SlowFtp>
{
    private const int Directories = 10;
    private const int FilesPerDirectory = 100;
    private const int Tiles = Directories * FilesPerDirectory;
    /// <summary>The limit test's tree: see <see cref="A_lower_connection_limit_reaches_a_running_scan"/> for its size.</summary>
    private const int LimitDirectories = 4;
    private const int LimitTiles = LimitDirectories * FilesPerDirectory;
    /// <summary>The connection limit the limit test starts from (the storage default, <c>MaxConnectionsPerStorage</c>).</summary>
    private const int StartLimit = 4;
    /// <summary>
    /// What the relay adds to every reply. A header read waits for at least two replies on its control connection (the
    /// transfer's set-up and its start), so one connection reads at most one file per 2 x 50 ms, and the scan at most
    /// <see cref="StartLimit"/> / 100 ms = 40 files a second whatever the machine.
    /// </summary>
    private static readonly TimeSpan ReplyLatency = TimeSpan.FromMilliseconds(50);
    /// <summary>Generous: every test class of the machine runs at once on two cores.</summary>
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(90);
    /// <summary>DirectoryGrain's stop check: a directory asks whether its scan still runs at most this often.</summary>
    private static readonly TimeSpan StopCheck = TimeSpan.FromSeconds(2);
    /// <summary>
    /// Silence that says the reads handed out before the pause are over: five stop checks, so a gap between two of those
    /// reads (one waiting for a connection on a loaded machine) is not taken for the end.
    /// </summary>
    private static readonly TimeSpan Quiet = 5 * StopCheck;
    /// <summary>How long the server is then watched for a request that should not come.</summary>
    private static readonly TimeSpan QuietWatch = TimeSpan.FromSeconds(10);

    /// <summary>
    /// vsftpd's plain FTP port behind <see cref="ReplyLatency"/>, one relay (one storage) for the class, and the trees the
    /// tests declared on it: every later scan of the storage crawls them all, so they stay until the class ends.
    /// </summary>
    public sealed class SlowFtp : IAsyncDisposable
    {
        public LatencyRelay Relay { get; } = new(Peers.VsftpdFtp, ReplyLatency);

        /// <summary>Each declared tree's folder on the server and its number of sub-directories.</summary>
        public List<(string Root, int Directories)> Trees { get; } = [];

        public async ValueTask DisposeAsync()
        {
            await Relay.DisposeAsync();
            foreach (var (root, _) in Trees)
                Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task Pausing_a_running_scan_silences_the_server_and_resuming_rescans_exactly()
    {
        var ct = TestContext.Current.CancellationToken;
        string folder = NewTree("pause", Directories);
        using var admin = web.Client(WebFrontFixture.AdminToken);
        using var log = new ServerLog(Path.Combine(Peers.LogsDir, "vsftpd-ftp.log"), folder);
        string d = await DeclareAsync(admin, folder, "Projet pausé en plein parcours");
        Assert.True(await EventuallyAsync(async () => await TileRowsAsync(folder) >= Tiles / 20, Settle),
            "The scan should get under way.");

        int rowsAtPause = await TileRowsAsync(folder);
        var pausedAt = DateTime.UtcNow;
        var paused = await WebFrontFixture.ReadJsonAsync(await admin.PutAsJsonAsync($"{d}/scan/operations", new JsonObject { ["paused"] = true }, ct));
        Assert.True(paused["paused"]!.GetValue<bool>());
        Assert.Equal("failed", paused["status"]!.GetValue<string>());
        Assert.Contains("paused", paused["lastError"]!.GetValue<string>(), StringComparison.Ordinal);

        // The reads already handed to the storage's connections end; then nothing names the storage's folder any more.
        Assert.True(await EventuallyAsync(() => Task.FromResult(log.QuietFor(Quiet)), Settle, TimeSpan.FromMilliseconds(500)),
            "The server should stop receiving requests after the pause.\n" + log.Tail());
        long linesAtQuiet = log.Lines;
        int rowsAtQuiet = await TileRowsAsync(folder);
        TestContext.Current.SendDiagnosticMessage(
            $"paused at {rowsAtPause} tiles; the server's last command naming the folder came {(log.LastLineAt - pausedAt).TotalSeconds:0.0} s later; {rowsAtQuiet} tiles then");
        await Task.Delay(QuietWatch, ct);
        Assert.True(log.Lines == linesAtQuiet, $"The paused scan sent {log.Lines - linesAtQuiet} more commands to the server.\n{log.Tail()}");
        Assert.Equal(rowsAtQuiet, await TileRowsAsync(folder));
        Assert.True(rowsAtQuiet < Tiles, $"The pause should interrupt the scan, which had read {rowsAtQuiet} of {Tiles} tiles.");
        var status = await WebFrontFixture.ReadJsonAsync(await admin.GetAsync($"{d}/scan/storage", ct));
        Assert.Equal("failed", status["status"]!.GetValue<string>());
        Assert.Contains("paused", status["lastError"]!.GetValue<string>(), StringComparison.Ordinal);
        var operations = await WebFrontFixture.ReadJsonAsync(await admin.GetAsync($"{d}/scan/operations", ct));
        Assert.True(operations["paused"]!.GetValue<bool>());

        // Resume: the scan the pause stopped starts again and reads the rest; the counts are exact.
        var resumed = await WebFrontFixture.ReadJsonAsync(await admin.PutAsJsonAsync($"{d}/scan/operations", new JsonObject { ["paused"] = false }, ct));
        Assert.False(resumed["paused"]!.GetValue<bool>());
        await ScanStates.SucceededAsync(admin, d, TimeSpan.FromMinutes(5));
        Assert.True(log.Lines > linesAtQuiet, "The resumed scan should reach the server.");
        // The storage's scan crawls every tree declared on it in this class (the limit test's too, when it ran first).
        int directories = ftp.Trees.Sum(t => t.Directories + 1), files = ftp.Trees.Sum(t => t.Directories) * FilesPerDirectory;
        string counts = await ScalarAsync<string>(
            "SELECT concat_ws(' ', status, directories, files, analysed + unchanged, errors) FROM pcrs_scans ORDER BY scan_number DESC LIMIT 1");
        Assert.True($"succeeded {directories} {files} {files} 0" == counts, $"Last scan: {counts}; {await ErrorsAsync(folder)}");
        Assert.True(Tiles == await TileRowsAsync(folder, withoutError: true), await ErrorsAsync(folder));
    }

    /// <remarks>
    /// The tree is <see cref="LimitTiles"/> files: the limit is lowered once <see cref="LimitTiles"/> / 20 are read, and
    /// then 50 more must be left to read under the new limit. In between the test makes two requests; at the scan's
    /// fastest (40 files a second, <see cref="ReplyLatency"/>) the 330 files of room last 8 s. Under the limit of one
    /// connection the rest takes at least 2 x 50 ms a file (about 35 s for 350), well within the wait for the end.
    /// </remarks>
    [Fact]
    public async Task A_lower_connection_limit_reaches_a_running_scan()
    {
        var ct = TestContext.Current.CancellationToken;
        string folder = NewTree("limit", LimitDirectories);
        using var admin = web.Client(WebFrontFixture.AdminToken);
        // Connections of this process to the relay's port: what the server sees, one for one.
        await using var sampler = new ConnectionSampler(ftp.Relay.Port, ownProcessOnly: true);
        string d = await DeclareAsync(admin, folder, "Projet bridé en plein parcours");
        // 409 while the declaration is still being proven.
        Assert.True(await EventuallyAsync(async () => (await admin.PutAsJsonAsync($"{d}/scan/operations", new JsonObject { ["maxConnections"] = StartLimit }, ct)).IsSuccessStatusCode, Settle),
            "The limit should be accepted once the declaration is proven.");
        Assert.True(await EventuallyAsync(async () => sampler.Current >= StartLimit - 1 && await TileRowsAsync(folder) >= LimitTiles / 20, Settle, TimeSpan.FromMilliseconds(100)),
            $"The scan should use several connections (peak {sampler.Peak}).");
        int before = sampler.Peak;

        var lowered = await WebFrontFixture.ReadJsonAsync(await admin.PutAsJsonAsync($"{d}/scan/operations", new JsonObject { ["maxConnections"] = 1 }, ct));
        Assert.Equal(1, lowered["maxConnections"]!.GetValue<int>());
        // From here on only samples taken after the change count: one begun before it still sees the old connections.
        sampler.ResetPeak();
        int rowsAtChange = await TileRowsAsync(folder);
        // Room for the check below (50 more tiles read under the new limit): a precondition, not a speed.
        Assert.True(rowsAtChange < LimitTiles - 50, $"The limit should change mid-scan ({rowsAtChange} of {LimitTiles} tiles read).");
        Assert.True(await EventuallyAsync(() => Task.FromResult(sampler.LastSamplesAtMost(1, samples: 5)), Settle, TimeSpan.FromMilliseconds(100)),
            $"Connections at the server should drop to the new limit (still {sampler.Current}).");
        sampler.ResetPeak();
        // The scan goes on under the new limit: more tiles are read, never over one connection at a time.
        Assert.True(await EventuallyAsync(async () => await TileRowsAsync(folder) >= rowsAtChange + 50, Settle),
            "The scan should go on under the lower limit.");
        Assert.True(sampler.Peak <= 1, $"At most one connection after the limit was lowered to 1; saw {sampler.Peak} (before: {before}).");
        await ScanStates.SucceededAsync(admin, d, TimeSpan.FromMinutes(10));
        Assert.True(sampler.Peak <= 1, $"At most one connection until the scan ended; saw {sampler.Peak}.");
        Assert.True(LimitTiles == await TileRowsAsync(folder, withoutError: true), await ErrorsAsync(folder));
    }

    /// <summary>Polls <paramref name="condition"/> until it holds or <paramref name="timeout"/> passes.</summary>
    private static async Task<bool> EventuallyAsync(Func<Task<bool>> condition, TimeSpan timeout, TimeSpan? every = null)
    {
        var giveUp = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow >= giveUp)
                return false;
            await Task.Delay(every ?? TimeSpan.FromMilliseconds(500), TestContext.Current.CancellationToken);
        }
        return true;
    }

    private string NewTree(string name, int directories)
    {
        string folder = $"ops-running-{name}-{Guid.NewGuid().ToString("N")[..8]}";
        string root = Path.Combine(Peers.DataDir, "webfront-tests", folder);
        ftp.Trees.Add((root, directories));
        HardLinks.CreateTree(root, directories, FilesPerDirectory, Path.Combine(Peers.FixturesDir, "l93_rgb_tiled_lzw.tif"));
        return folder;
    }

    private async Task<string> DeclareAsync(HttpClient admin, string folder, string projectName)
    {
        var project = await web.CreateProjectAsync(projectName);
        string d = $"/api/projects/{project.Id}/deliverables/{project.Deliverables[0]}";
        var declare = await admin.PutAsJsonAsync($"{d}/storage", new JsonObject
        {
            ["type"] = "ftp", ["host"] = "127.0.0.1", ["port"] = ftp.Relay.Port, ["path"] = $"/webfront-tests/{folder}",
            ["username"] = Peers.User, ["password"] = Peers.Password,
        }, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Accepted, declare.StatusCode);
        return d;
    }

    private Task<int> TileRowsAsync(string folder, bool withoutError = false) => ScalarAsync<int>(
        $"SELECT count(*)::int FROM pcrs_tiles WHERE path LIKE '/webfront-tests/{folder}/%'{(withoutError ? " AND error IS NULL" : "")}");

    /// <summary>The tile errors recorded under the folder, grouped, for a failure's message.</summary>
    private Task<string> ErrorsAsync(string folder) => ScalarAsync<string>(
        $"SELECT 'tile errors: ' || coalesce(string_agg(n || ' x ' || error || ' (scan ' || s || ')', '; '), 'none') FROM " +
        $"(SELECT error, count(*) AS n, max(scan_number) AS s FROM pcrs_tiles WHERE path LIKE '/webfront-tests/{folder}/%' AND error IS NOT NULL GROUP BY error) e");

    private async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = new NpgsqlConnection(web.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>
    /// The lines of a vsftpd protocol log (log_ftp_protocol=YES) that name the test's folder (CWD, SIZE, MDTM,
    /// RETR of its files), read as they are appended from the test's start on.
    /// </summary>
    private sealed class ServerLog : IDisposable
    {
        private readonly FileStream _file;
        private readonly string _folder;
        private readonly List<string> _tail = [];
        private readonly StringBuilder _partial = new();
        private long _lines;
        private DateTime _lastLineAt = DateTime.UtcNow;

        public ServerLog(string path, string folder)
        {
            _file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            _file.Seek(0, SeekOrigin.End);
            _folder = folder;
        }

        public long Lines
        {
            get
            {
                Read();
                return _lines;
            }
        }

        /// <summary>When the last line naming the folder was read (the log is read at most 500 ms after it is written).</summary>
        public DateTime LastLineAt
        {
            get
            {
                Read();
                return _lastLineAt;
            }
        }

        /// <summary>No line naming the folder was appended during the last <paramref name="period"/>.</summary>
        public bool QuietFor(TimeSpan period)
        {
            Read();
            return DateTime.UtcNow - _lastLineAt >= period;
        }

        public string Tail() => "--- last commands naming the folder ---\n" + string.Join('\n', _tail);

        private void Read()
        {
            var buffer = new byte[64 * 1024];
            int read;
            while ((read = _file.Read(buffer)) > 0)
            {
                _partial.Append(Encoding.UTF8.GetString(buffer, 0, read));
                string text = _partial.ToString();
                int end = text.LastIndexOf('\n');
                if (end < 0)
                    continue;
                _partial.Clear().Append(text[(end + 1)..]);
                foreach (string line in text[..end].Split('\n'))
                {
                    if (!line.Contains(_folder, StringComparison.Ordinal))
                        continue;
                    _lines++;
                    _lastLineAt = DateTime.UtcNow;
                    _tail.Add(line);
                    if (_tail.Count > 20)
                        _tail.RemoveAt(0);
                }
            }
        }

        public void Dispose() => _file.Dispose();
    }
}
