using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Pcrs.Grains.Formats;
using Pcrs.Grains.Scanning;
using Pcrs.Grains.Storage;
using Pcrs.Grains.Storage.Pooling;
using Pcrs.Grains.Storage.Security;

namespace Pcrs.Benchmarks.Formats;

/// <summary>
/// Bytes fetched per tile and files per second: our tile reader over the project's HTTP storage client, against
/// `gdalinfo -json /vsicurl/` (one process per file) and GDAL in one python process, on the same nginx server.
/// Bytes of every side are taken from nginx's access log ($body_bytes_sent), so all sides are counted the same way.
/// </summary>
public static partial class Program
{
    private static readonly string[] Kinds =
    [
        "l93_4000_striped.tif", "l93_4000_tiled.tif", "l93_4000.jp2",
        "l93_10000_striped.tif", "l93_10000_tiled.tif", "l93_10000.jp2",
    ];

    public static async Task<int> Main(string[] args)
    {
        string baseUrl = Arg(args, "--base", "http://127.0.0.1:8081/bench-formats");
        string dataDir = Arg(args, "--data", "/tmp/pcrs-peers/data/bench-formats");
        string log = Arg(args, "--log", "/tmp/pcrs-peers/logs/nginx-access.log");
        string python = Arg(args, "--python", "/usr/bin/python3");
        string script = Arg(args, "--inproc-script", Path.Combine(AppContext.BaseDirectory, "gdal_inproc.py"));
        int files = int.Parse(Arg(args, "--files", "40"), CultureInfo.InvariantCulture);
        int processFiles = int.Parse(Arg(args, "--process-files", "20"), CultureInfo.InvariantCulture);
        string outFile = Arg(args, "--out", "table.md");

        var options = new StorageAccessOptions { AllowedNetworks = ["127.0.0.0/8"] };
        var guard = new AddressGuard(options);
        var factory = new StorageClientFactory(guard, options, NullLoggerFactory.Instance);
        var reader = new TileReader(Options.Create(new TileReaderOptions()));

        var table = new StringBuilder();
        table.AppendLine("| tile | size | ours B/file | ours req/file | ours files/s | gdalinfo B/file | gdalinfo req/file | gdalinfo files/s | GDAL 1-proc B/file | GDAL 1-proc files/s | GDAL 1-proc EMPTY_DIR B/file | EMPTY_DIR files/s | bytes ours/gdal | speed ours/GDAL 1-proc |");
        table.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (string kind in Kinds)
        {
            string stem = Path.GetFileNameWithoutExtension(kind);
            string ext = Path.GetExtension(kind);
            long size = new FileInfo(Path.Combine(dataDir, kind)).Length;
            string[] names = [.. Enumerable.Range(0, files).Select(i => $"copies/{stem}_{i:000}{ext}")];
            string warm = $"copies/{stem}_049{ext}";

            // Ours: one client per run (connecting included), files read one after the other like GDAL's loop.
            var location = StorageLocation.Parse(baseUrl + "/", out _);
            await using (IStorageClient client = factory.Create(location, StorageCredentials.Anonymous, new LocalConnectionLimiter(4), new StorageTrust(true, [], null)))
            {
                await ReadOneAsync(client, reader, location.Path.TrimEnd('/') + "/" + warm, size);
                (Traffic t, double s) = await MeasureAsync(log, async () =>
                {
                    foreach (string n in names)
                    {
                        TileMetadata m = await ReadOneAsync(client, reader, location.Path.TrimEnd('/') + "/" + n, size);
                        if (m.Error is not null || m.GeoTransform is null)
                        {
                            throw new InvalidOperationException($"{n}: {m.Error ?? "no georeferencing"}");
                        }
                    }
                });
                Row ours = new(t, s, names.Length);

                // gdalinfo, one process per file, default settings (reads the directory listing for sidecars).
                (Traffic gt, double gs) = await MeasureAsync(log, async () =>
                {
                    foreach (string n in names.Take(processFiles))
                    {
                        await RunAsync("gdalinfo", ["-json", $"/vsicurl/{baseUrl}/{n}"], null);
                    }
                });
                Row gdalinfo = new(gt, gs, processFiles);

                // GDAL in one process, default settings then EMPTY_DIR (no sidecar discovery at all).
                string list = Path.GetTempFileName();
                await File.WriteAllLinesAsync(list, names.Select(n => $"{baseUrl}/{n}"));
                string warmList = Path.GetTempFileName();
                await File.WriteAllLinesAsync(warmList, [$"{baseUrl}/{warm}"]);
                await RunAsync(python, [script, warmList], null);
                (Traffic it, double isec) = await MeasureAsync(log, () => RunAsync(python, [script, list], null), internalSeconds: true);
                Row inproc = new(it, isec, names.Length);
                (Traffic et, double esec) = await MeasureAsync(log, () => RunAsync(python, [script, list], ("GDAL_DISABLE_READDIR_ON_OPEN", "EMPTY_DIR")), internalSeconds: true);
                Row empty = new(et, esec, names.Length);
                File.Delete(list);
                File.Delete(warmList);

                table.AppendLine(CultureInfo.InvariantCulture, $"| {kind} | {size / 1e6:0.0} MB | {ours.BytesPerFile:0} | {ours.RequestsPerFile:0.0} | {ours.FilesPerSecond:0} | {gdalinfo.BytesPerFile:0} | {gdalinfo.RequestsPerFile:0.0} | {gdalinfo.FilesPerSecond:0.0} | {inproc.BytesPerFile:0} | {inproc.FilesPerSecond:0} | {empty.BytesPerFile:0} | {empty.FilesPerSecond:0} | {ours.BytesPerFile / Math.Min(inproc.BytesPerFile, gdalinfo.BytesPerFile):0.00} | {ours.FilesPerSecond / inproc.FilesPerSecond:0.0}x |");
                Console.Error.WriteLine(table.ToString().Split('\n')[^2]);
            }
        }

        await File.WriteAllTextAsync(outFile, table.ToString());
        Console.WriteLine(table);
        return 0;
    }

    private static async Task<TileMetadata> ReadOneAsync(IStorageClient client, TileReader reader, string path, long size)
    {
        // The length comes from the directory listing in a real scan; no sidecars sit next to these tiles.
        var file = new StorageRangeReader(client, path, size);
        return await reader.ReadAsync(file, [], CancellationToken.None);
    }

    private sealed record Row(Traffic Traffic, double Seconds, int Files)
    {
        public double BytesPerFile => (double)Traffic.Bytes / Files;
        public double RequestsPerFile => (double)Traffic.Requests / Files;
        public double FilesPerSecond => Files / Seconds;
    }

    private readonly record struct Traffic(long Bytes, long Requests);

    /// <summary>Runs the action and sums what nginx logged for /bench-formats/ meanwhile (bytes of bodies, requests).</summary>
    private static async Task<(Traffic Traffic, double Seconds)> MeasureAsync(string log, Func<Task> action, bool internalSeconds = false)
    {
        long start = new FileInfo(log).Length;
        var watch = Stopwatch.StartNew();
        await action();
        double seconds = internalSeconds && LastInternalSeconds is double inner ? inner : watch.Elapsed.TotalSeconds;
        await Task.Delay(200);
        long bytes = 0, requests = 0;
        await using var stream = new FileStream(log, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        stream.Position = start;
        using var text = new StreamReader(stream);
        while (await text.ReadLineAsync() is string line)
        {
            Match m = LogLine().Match(line);
            if (m.Success && m.Groups["path"].Value.Contains("/bench-formats/", StringComparison.Ordinal))
            {
                bytes += long.Parse(m.Groups["bytes"].Value, CultureInfo.InvariantCulture);
                requests++;
            }
        }

        return (new Traffic(bytes, requests), seconds);
    }

    private static double? LastInternalSeconds;

    private static async Task RunAsync(string file, string[] args, (string Key, string Value)? env)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        if (env is { } e)
        {
            psi.Environment[e.Key] = e.Value;
        }

        using Process p = Process.Start(psi) ?? throw new InvalidOperationException($"{file} did not start");
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        string stdout = await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed: {await stderr}");
        }

        string[] parts = stdout.Trim().Split(' ');
        LastInternalSeconds = parts.Length == 2 && double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double s) ? s : null;
    }

    private static string Arg(string[] args, string name, string fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }

    [GeneratedRegex("\"(?<method>[A-Z]+) (?<path>\\S+) HTTP/[0-9.]+\" (?<status>\\d+) (?<bytes>\\d+)", RegexOptions.None, matchTimeoutMilliseconds: 1000)]
    private static partial Regex LogLine();
}
