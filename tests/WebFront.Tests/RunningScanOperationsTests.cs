using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Npgsql;
using Pcrs.TestSupport;

namespace Pcrs.WebFront.Tests;

/// <summary>
/// An administrator's scanning controls reach a scan that is running, not only the next one: a pause silences the
/// storage's server (read in vsftpd's protocol log) and says so in the status, and a resume rescans with exact counts.
/// </summary>
[Collection(WebFrontCollection.Name)]
public sealed class RunningScanOperationsTests(WebFrontFixture web) : IClassFixture<WebFrontFixture>, IDisposable
{
    private const int Directories = 10;
    private const int FilesPerDirectory = 100;
    private const int Tiles = Directories * FilesPerDirectory;
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

    private readonly List<string> _trees = [];

    public void Dispose()
    {
        foreach (string tree in _trees)
            Directory.Delete(tree, recursive: true);
    }

    [Fact]
    public async Task Pausing_a_running_scan_silences_the_server_and_resuming_rescans_exactly()
    {
        var ct = TestContext.Current.CancellationToken;
        string folder = NewTree("pause");
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
        string counts = await ScalarAsync<string>(
            "SELECT concat_ws(' ', status, directories, files, analysed + unchanged, errors) FROM pcrs_scans ORDER BY scan_number DESC LIMIT 1");
        Assert.True($"succeeded {Directories + 1} {Tiles} {Tiles} 0" == counts, $"Last scan: {counts}; {await ErrorsAsync(folder)}");
        Assert.True(Tiles == await TileRowsAsync(folder, withoutError: true), await ErrorsAsync(folder));
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

    private string NewTree(string name)
    {
        string folder = $"ops-running-{name}-{Guid.NewGuid().ToString("N")[..8]}";
        string root = Path.Combine(Peers.DataDir, "webfront-tests", folder);
        _trees.Add(root);
        HardLinks.CreateTree(root, Directories, FilesPerDirectory, Path.Combine(Peers.FixturesDir, "l93_rgb_tiled_lzw.tif"));
        return folder;
    }

    private async Task<string> DeclareAsync(HttpClient admin, string folder, string projectName)
    {
        var project = await web.CreateProjectAsync(projectName);
        string d = $"/api/projects/{project.Id}/deliverables/{project.Deliverables[0]}";
        var declare = await admin.PutAsJsonAsync($"{d}/storage", new JsonObject
        {
            ["type"] = "ftp", ["host"] = "127.0.0.1", ["port"] = Peers.VsftpdFtp, ["path"] = $"/webfront-tests/{folder}",
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
