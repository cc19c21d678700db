using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Pcrs.Grains.Storage;
using Pcrs.Grains.Storage.Pooling;
using Pcrs.Grains.Storage.Security;
using Pcrs.Grains.Storage.Sftp;

namespace Pcrs.Benchmarks.Listing;

/// <summary>
/// Lists the benchmark tree (tests/Benchmarks/Listing/gen_tree.py) on every peer server with our storage clients and with
/// `rclone lsjson -R`, best of N runs each, and prints a markdown table. Usage:
/// Pcrs.Benchmarks.Listing --rclone-config FILE [--runs 3] [--tree bench10k] [--only NAME,...] [--out FILE] [--in-flight N]
/// </summary>
public static class Program
{
    private const string Host = "127.0.0.1";

    public static async Task<int> Main(string[] args)
    {
        var settings = Settings.Parse(args);
        var targets = Target.All(settings).Where(t => settings.Only.Count == 0 || settings.Only.Contains(t.Name)).ToList();
        var options = new StorageAccessOptions
        {
            AllowedNetworks = ["127.0.0.0/8"],
            MaxConnectionsPerStorage = settings.Connections,
        };
        var guard = new AddressGuard(options);
        var factory = new StorageClientFactory(guard, options, NullLoggerFactory.Instance);
        var rows = new List<string>();
        foreach (var target in targets)
        {
            Console.Error.WriteLine($"== {target.Name}");
            var ours = await MeasureAsync(settings.Runs, () => ListOursAsync(factory, guard, options, target, settings));
            var rclone = await MeasureAsync(settings.Runs, () => ListRcloneAsync(target.RcloneRemote, settings, []));
            var rcloneNoHead = target.IsHttp
                ? await MeasureAsync(settings.Runs, () => ListRcloneAsync(target.RcloneRemote, settings, ["--http-no-head"]))
                : null;
            rows.Add(Row(target, ours, rclone, rcloneNoHead));
            Console.Error.WriteLine(rows[^1]);
        }

        var table = new StringBuilder()
            .AppendLine("| protocol | server | ours: best of " + settings.Runs + " (s) | ours: median (s) | ours: CPU of the best run (s) | files/dirs | rclone lsjson -R: best (s) | rclone: median (s) | files/dirs | ours / rclone (best) | ours / rclone (median) | rclone --http-no-head (s) |")
            .AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var row in rows)
            table.AppendLine(row);
        Console.Out.Write(table);
        if (settings.Out is not null)
            await File.WriteAllTextAsync(settings.Out, table.ToString());
        return 0;
    }

    private static string Row(Target target, Measurement ours, Measurement rclone, Measurement? rcloneNoHead)
    {
        static string Ratio(TimeSpan? o, TimeSpan? r) => o is { } a && r is { } b && b > TimeSpan.Zero
            ? (a.TotalSeconds / b.TotalSeconds).ToString("0.00", CultureInfo.InvariantCulture)
            : "n/a";
        return $"| {target.Protocol} | {target.Server} | {ours.Show()} | {Seconds(ours.Median)} | {Seconds(ours.BestCpu)} | {ours.Counts} | {rclone.Show()} | {Seconds(rclone.Median)} | {rclone.Counts} " +
            $"| {Ratio(ours.Best, rclone.Best)} | {Ratio(ours.Median, rclone.Median)} | {rcloneNoHead?.Show() ?? "-"} |";
    }

    private static string Seconds(TimeSpan? value) =>
        value is { } v ? v.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture) : "-";

    private static async Task<Measurement> MeasureAsync(int runs, Func<Task<(int Files, int Dirs)>> run)
    {
        var measurement = new Measurement();
        for (int i = 0; i < runs; i++)
        {
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            try
            {
                var (files, dirs) = await run();
                watch.Stop();
                cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
                measurement.Add(watch.Elapsed, cpu, files, dirs);
                Console.Error.WriteLine($"   run {i + 1}: {watch.Elapsed.TotalSeconds:0.000} s (this process's CPU {cpu.TotalSeconds:0.000} s), {files} files, {dirs} dirs");
            }
            catch (Exception error)
            {
                measurement.Error = error.GetType().Name + ": " + error.Message.Split('\n')[0];
                Console.Error.WriteLine($"   run {i + 1}: FAILED {measurement.Error}");
                break;
            }
        }
        return measurement;
    }

    /// <summary>Our crawl: a fresh client (so connecting is included), directories listed in parallel up to the connection limit.</summary>
    private static async Task<(int Files, int Dirs)> ListOursAsync(StorageClientFactory factory, AddressGuard guard, StorageAccessOptions options,
        Target target, Settings settings)
    {
        var location = StorageLocation.Parse(target.Url, out _);
        var credentials = target.IsHttp || target.Protocol == "file" ? StorageCredentials.Anonymous : new StorageCredentials("peer", "peerpass");
        var limiter = new LocalConnectionLimiter(options.MaxConnectionsPerStorage);
        var trust = new StorageTrust(true, [], null);
        // SFTP is built directly so the benchmark does not depend on when the factory learns the protocol.
        await using IStorageClient client = location.Protocol == StorageProtocol.Sftp
            ? new SftpStorageClient(location, credentials, limiter, trust, guard, options, NullLogger.Instance)
            : factory.Create(location, credentials, limiter, trust);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(settings.TimeoutSeconds));
        // A scan lists every sub-directory at once (each DirectoryGrain lists on its own order), so only the client bounds
        // the listings in flight; the crawler's default bound is above what any client carries (SFTP: 4 per session).
        int inFlight = settings.InFlight > 0 ? settings.InFlight : options.MaxConnectionsPerStorage * 8;
        return await TreeCrawler.CrawlAsync(client, location.Path, inFlight, timeout.Token);
    }

    private static async Task<(int Files, int Dirs)> ListRcloneAsync(string remote, Settings settings, string[] extra)
    {
        var start = new ProcessStartInfo("rclone") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "--config", settings.RcloneConfig, "lsjson", "-R" }.Concat(extra).Append(remote))
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("rclone did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(settings.TimeoutSeconds));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException e)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"rclone took more than {settings.TimeoutSeconds} s", e);
        }
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"rclone exit {process.ExitCode}: {(await stderr).Trim().Split('\n')[^1]}");
        using var json = JsonDocument.Parse(await stdout);
        int files = 0, dirs = 0;
        foreach (var item in json.RootElement.EnumerateArray())
        {
            if (item.GetProperty("IsDir").GetBoolean())
                dirs++;
            else
                files++;
        }
        return (files, dirs);
    }

    private sealed class Measurement
    {
        private readonly List<(TimeSpan Wall, TimeSpan Cpu)> _runs = [];

        public string? Error { get; set; }

        public string Counts { get; private set; } = "-";

        public TimeSpan? Best => Error is null && _runs.Count > 0 ? _runs.Min(r => r.Wall) : null;

        /// <summary>CPU this process spent in the best run (our client's cost; for rclone only the waiting).</summary>
        public TimeSpan? BestCpu => Error is null && _runs.Count > 0 ? _runs.MinBy(r => r.Wall).Cpu : null;

        public TimeSpan? Median => Error is null && _runs.Count > 0 ? _runs.Select(r => r.Wall).Order().ElementAt(_runs.Count / 2) : null;

        public void Add(TimeSpan elapsed, TimeSpan cpu, int files, int dirs)
        {
            _runs.Add((elapsed, cpu));
            Counts = $"{files}/{dirs}";
        }

        public string Show() => Best is { } best
            ? best.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture)
            : "failed: " + (Error ?? "no run").Replace("|", "/", StringComparison.Ordinal);
    }

    private sealed record Settings(string RcloneConfig, int Runs, string Tree, IReadOnlySet<string> Only, string? Out, int Connections, int TimeoutSeconds, int InFlight)
    {
        public static Settings Parse(string[] args)
        {
            string? Value(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
            return new Settings(
                Value("--rclone-config") ?? throw new ArgumentException("--rclone-config FILE is required"),
                int.Parse(Value("--runs") ?? "3", CultureInfo.InvariantCulture),
                Value("--tree") ?? "bench10k",
                (Value("--only") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries).ToHashSet(),
                Value("--out"),
                int.Parse(Value("--connections") ?? "4", CultureInfo.InvariantCulture),
                int.Parse(Value("--timeout") ?? "600", CultureInfo.InvariantCulture),
                // Directory listings in flight (default: 8 per connection, above what a client carries, as in a scan).
                int.Parse(Value("--in-flight") ?? "0", CultureInfo.InvariantCulture));
        }
    }

    private sealed record Target(string Name, string Protocol, string Server, string Url, string RcloneRemote)
    {
        public bool IsHttp => Protocol.StartsWith("http", StringComparison.Ordinal);

        public static IEnumerable<Target> All(Settings s)
        {
            string data = Environment.GetEnvironmentVariable("PEERS_DIR") is { Length: > 0 } dir ? Path.Combine(dir, "data") : "/tmp/pcrs-peers/data";
            yield return new("file", "file", "local folder", $"file://{data}/{s.Tree}", $"{data}/{s.Tree}");
            yield return new("sftp", "sftp", "OpenSSH 9.2 internal-sftp", $"sftp://peer@{Host}:2222/{s.Tree}", $"sftp:{s.Tree}");
            yield return new("vsftpd", "ftp", "vsftpd 3.0.3 (LIST)", $"ftp://peer@{Host}:2121/{s.Tree}", $"vsftpd:{s.Tree}");
            yield return new("vsftpd-ftpes", "ftpes", "vsftpd, ssl reuse required", $"ftpes://peer@{Host}:2122/{s.Tree}", $"vsftpd-ftpes:{s.Tree}");
            yield return new("vsftpd-ftpes-noreuse", "ftpes", "vsftpd, no reuse", $"ftpes://peer@{Host}:2125/{s.Tree}", $"vsftpd-ftpes-noreuse:{s.Tree}");
            yield return new("vsftpd-ftps-implicit", "ftps", "vsftpd implicit TLS", $"ftps://peer@{Host}:2990/{s.Tree}", $"vsftpd-ftps-implicit:{s.Tree}");
            yield return new("pureftpd", "ftp", "pure-ftpd 1.0.50 (MLSD)", $"ftp://peer@{Host}:2123/{s.Tree}", $"pureftpd:{s.Tree}");
            yield return new("proftpd", "ftp", "proftpd 1.3.8 (MLSD)", $"ftp://peer@{Host}:2124/{s.Tree}", $"proftpd:{s.Tree}");
            yield return new("nginx", "http", "nginx 1.22 autoindex", $"http://{Host}:8081/{s.Tree}/", $"nginx:{s.Tree}/");
            yield return new("apache", "http", "Apache 2.4 mod_autoindex", $"http://{Host}:8082/{s.Tree}/", $"apache:{s.Tree}/");
            yield return new("lighttpd", "http", "lighttpd 1.4 dirlisting", $"http://{Host}:8083/{s.Tree}/", $"lighttpd:{s.Tree}/");
        }
    }
}
