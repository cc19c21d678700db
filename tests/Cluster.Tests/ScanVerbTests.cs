using System.Text.Json;
using Pcrs.Cluster.Tests.Infrastructure;
using Pcrs.TestSupport;

namespace Pcrs.Cluster.Tests;

/// <summary>The Silo's scan verb end to end, as an operator runs it: a process, JSON Lines on stdout, checked against the fixtures.</summary>
public sealed class ScanVerbTests
{
    [Fact]
    public async Task JsonLinesOfALocalFolderMatchTheFixtures()
    {
        using var tree = ScratchTree.Standard("verb-local-" + Guid.NewGuid().ToString("N")[..8]);
        var (exit, stdout, stderr) = await RunAsync("scan", "file://" + tree.Root, "--json");
        Assert.True(exit == 0, stderr);
        CheckLines(tree, stdout);
    }

    [Fact]
    public async Task JsonLinesOfAnNginxListingMatchTheFixtures()
    {
        using var tree = ScratchTree.Standard("verb-http-" + Guid.NewGuid().ToString("N")[..8]);
        var (exit, stdout, stderr) = await RunAsync("scan", $"http://{Peers.Host}:{Peers.Nginx}{tree.ServerPath}/", "--json", "--max-connections", "2");
        Assert.True(exit == 0, stderr);
        CheckLines(tree, stdout);
        // The connections are closed before the silo stops: no "ReleaseConnectionLease ... Silo is shutting down" ERR.
        Assert.DoesNotContain(stderr.Split('\n'), line => line.Contains(" ERR]", StringComparison.Ordinal) || line.Contains(" WRN]", StringComparison.Ordinal));
    }

    /// <summary>
    /// Over FTP, and with nothing on stderr but the progress line: Orleans' in-memory reminder table (a grain) was sometimes
    /// read while the verb's silo stopped, which printed three ERR lines after the result (1 run in 4 here).
    /// </summary>
    [Fact]
    public async Task JsonLinesOfAnFtpFolderMatchTheFixturesAndStderrHasNoLogLine()
    {
        using var tree = ScratchTree.Standard("verb-ftp-" + Guid.NewGuid().ToString("N")[..8]);
        // The verb reads the password from the variable it is told (the child process inherits this one).
        Environment.SetEnvironmentVariable("PCRS_VERB_TEST_PASSWORD", Peers.Password);
        for (int run = 0; run < 3; run++)
        {
            var (exit, stdout, stderr) = await RunAsync("scan", $"ftp://{Peers.User}@{Peers.Host}:{Peers.VsftpdFtp}{tree.ServerPath}/", "--json",
                "--password-env", "PCRS_VERB_TEST_PASSWORD");
            Assert.True(exit == 0, stderr);
            CheckLines(tree, stdout);
            Assert.DoesNotContain(stderr.Split('\n'), line => line.Contains(" ERR]", StringComparison.Ordinal) || line.Contains(" WRN]", StringComparison.Ordinal));
        }
    }

    /// <summary>
    /// A finished scan prints its result on stdout and nothing on stderr but its progress line, over every protocol and
    /// server the peers run (TLS ones with --insecure: their certificate is self-signed).
    /// </summary>
    [Theory]
    [InlineData("file")]
    [InlineData("sftp")]
    [InlineData("proftpd")]
    [InlineData("pureftpd")]
    [InlineData("vsftpd-ftpes")]
    [InlineData("vsftpd-ftps-implicit")]
    [InlineData("apache")]
    [InlineData("lighttpd")]
    [InlineData("nginx-https")]
    public async Task AFinishedScanPrintsOnlyItsProgressOnStderr(string server)
    {
        using var tree = ScratchTree.Standard($"verb-{server}-" + Guid.NewGuid().ToString("N")[..8]);
        string account = $"{Peers.User}@{Peers.Host}";
        const string password = "PCRS_VERB_TEST_PASSWORD"; // the variable the verb reads the password from
        string[] target = server switch
        {
            "file" => ["file://" + tree.Root],
            "sftp" => [$"sftp://{account}:{Peers.Sftp}{tree.ServerPath}/", "--password-env", password],
            "proftpd" => [$"ftp://{account}:{Peers.Proftpd}{tree.ServerPath}/", "--password-env", password],
            "pureftpd" => [$"ftp://{account}:{Peers.PureFtpd}{tree.ServerPath}/", "--password-env", password],
            "vsftpd-ftpes" => [$"ftpes://{account}:{Peers.VsftpdFtpsReuse}{tree.ServerPath}/", "--password-env", password, "--insecure"],
            "vsftpd-ftps-implicit" => [$"ftps://{account}:{Peers.VsftpdImplicit}{tree.ServerPath}/", "--password-env", password, "--insecure"],
            "apache" => [$"http://{Peers.Host}:{Peers.Apache}{tree.ServerPath}/", "--max-connections", "2"],
            "lighttpd" => [$"http://{Peers.Host}:{Peers.Lighttpd}{tree.ServerPath}/", "--max-connections", "2"],
            "nginx-https" => [$"https://{Peers.Host}:{Peers.NginxTls}{tree.ServerPath}/", "--max-connections", "2", "--insecure"],
            _ => throw new ArgumentOutOfRangeException(nameof(server), server, null),
        };
        Environment.SetEnvironmentVariable(password, Peers.Password);
        var (exit, stdout, stderr) = await RunAsync(["scan", .. target, "--json"]);
        Assert.True(exit == 0, stderr);
        CheckLines(tree, stdout);

        // Not a redirected terminal: the progress is written as whole lines (the first at once, then every 5 s).
        var lines = stderr.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).ToList();
        Assert.NotEmpty(lines);
        Assert.All(lines, line => Assert.Matches(ProgressLinePattern, line));
    }

    /// <summary>The verb's progress line (Silo/Scan/ProgressLine.cs): a 24-cell bar, the status, then the counters.</summary>
    private const string ProgressLinePattern =
        @"^\[[#.]{24}\] [a-z]+ \d+ dirs, \d+ files, \d+ read, \d+ unchanged, \d+ errors, \d+ bytes, \d+s$";

    [Fact]
    public async Task AFlatFolderCountsAsOneListedDirectory()
    {
        using var tree = new ScratchTree("verb-flat-" + Guid.NewGuid().ToString("N")[..8]);
        tree.Copy("l93_rgb_tiled_lzw.tif", "/one.tif");
        tree.Copy("nogeo_rgb_with_tfw.tfw", "/two.tfw");
        var (exit, stdout, stderr) = await RunAsync("scan", "file://" + tree.Root, "--json");
        Assert.True(exit == 0, stderr);
        var summary = JsonDocument.Parse(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1]).RootElement;
        Assert.Equal("summary", summary.GetProperty("kind").GetString());
        Assert.Equal(1, summary.GetProperty("directories").GetInt64());
        Assert.Equal(2, summary.GetProperty("files").GetInt64());
        Assert.Equal(1, summary.GetProperty("dataFiles").GetInt64());

        (exit, stdout, stderr) = await RunAsync("scan", "file://" + tree.Root);
        Assert.True(exit == 0, stderr);
        Assert.Contains("2 in 1 directory", stdout, StringComparison.Ordinal);
    }

    /// <summary>
    /// A URL naming one tile reads that tile and its world file only: nginx's log shows one listing of the tile's folder
    /// and requests for those two names, none for its siblings or anything in other folders of the tree.
    /// </summary>
    [Fact]
    public async Task AUrlNamingOneFileReadsThatFileAndItsSidecarsOnly()
    {
        using var tree = ScratchTree.Standard("verb-one-" + Guid.NewGuid().ToString("N")[..8]);
        var log = new ServerLog(Path.Combine(Peers.LogsDir, "nginx-access.log"));
        string folder = tree.ServerPath + "/b/";
        var (exit, stdout, stderr) = await RunAsync("scan", $"http://{Peers.Host}:{Peers.Nginx}{folder}nogeo_rgb_with_tfw.tif", "--json");
        Assert.True(exit == 0, stderr);

        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var file = Assert.Single(lines, l => l.GetProperty("kind").GetString() == "file");
        Assert.Equal("/nogeo_rgb_with_tfw.tif", file.GetProperty("path").GetString());
        Assert.Equal(new FileInfo(tree.Local("/b/nogeo_rgb_with_tfw.tif")).Length, file.GetProperty("size").GetInt64());
        // The georeferencing comes from the world file beside it: the sidecar was read.
        Assert.Equal(6, file.GetProperty("geoTransform").GetArrayLength());

        var requested = (await log.TakeAsync(tree.ServerPath))
            .Select(line => line.Split(' ').SkipWhile(w => w is not ("\"GET" or "\"HEAD")).Skip(1).First().Split('?')[0])
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(requested);
        Assert.All(requested, path => Assert.Contains(path,
            new[] { folder, folder + "nogeo_rgb_with_tfw.tif", folder + "nogeo_rgb_with_tfw.tfw" }));
        Assert.Contains(folder + "nogeo_rgb_with_tfw.tif", requested);
    }

    [Fact]
    public async Task UnreachableStorageAndMalformedUrlExitNonZeroWithOneLine()
    {
        var (exit, stdout, stderr) = await RunAsync("scan", "http://127.0.0.1:1/nothing/", "--json");
        Assert.Equal(3, exit);
        Assert.Equal("", stdout);
        Assert.Contains("error:", stderr, StringComparison.Ordinal);

        (exit, stdout, stderr) = await RunAsync("scan", "gopher://example/");
        Assert.Equal(2, exit);
        Assert.Equal("", stdout);
        Assert.StartsWith("error: Unsupported storage URL scheme", stderr, StringComparison.Ordinal);
    }

    private static void CheckLines(ScratchTree tree, string stdout)
    {
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var files = lines.Where(l => l.GetProperty("kind").GetString() == "file").ToDictionary(l => l.GetProperty("path").GetString()!);
        Assert.Equal(ScratchTree.StandardFiles.Keys.Order(StringComparer.Ordinal), files.Keys.Order(StringComparer.Ordinal));
        foreach (var (path, line) in files)
            Assert.Equal(new FileInfo(tree.Local(path)).Length, line.GetProperty("size").GetInt64());

        var l93 = files["/a/l93_1.tif"];
        Assert.Equal("GeoTIFF", l93.GetProperty("format").GetString());
        Assert.Equal(2154, l93.GetProperty("epsg").GetInt32());
        Assert.Equal(3, l93.GetProperty("bands").GetInt32());
        Assert.Equal(JsonValueKind.Null, l93.GetProperty("error").ValueKind);
        Assert.Equal("Polygon", l93.GetProperty("footprint").GetProperty("type").GetString());
        Assert.Equal(6, l93.GetProperty("geoTransform").GetArrayLength());
        Assert.True(l93.GetProperty("bytesRead").GetInt64() is > 0 and < 100_000);
        Assert.NotEqual(JsonValueKind.Null, files["/b/broken.tif"].GetProperty("error").ValueKind);

        var summary = lines[^1];
        Assert.Equal("summary", summary.GetProperty("kind").GetString());
        Assert.Equal(tree.FileCount, summary.GetProperty("files").GetInt64());
        Assert.Equal(tree.DirectoryCount + 1, summary.GetProperty("directories").GetInt64()); // the start folder is listed too
        Assert.Equal(ScratchTree.StandardFiles.Count, summary.GetProperty("dataFiles").GetInt64());
        Assert.Equal(1, summary.GetProperty("errors").GetInt64());
        Assert.Equal(ScratchTree.StandardFiles.Keys.Sum(p => new FileInfo(tree.Local(p)).Length), summary.GetProperty("totalBytes").GetInt64());
        Assert.Contains(2154, summary.GetProperty("epsg").EnumerateArray().Select(e => e.GetInt32()));
    }

    private static Task<(int Exit, string Stdout, string Stderr)> RunAsync(params string[] args) => SiloVerb.RunAsync(args);
}
