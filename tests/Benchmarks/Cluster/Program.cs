using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Pcrs.Benchmarks.Cluster;
using Pcrs.Grains.Interfaces.Scanning;

// Cluster benchmark driver: a cluster client (no silo) that declares every storage of the list on the running
// cluster, which starts their first scan, waits until all have finished, then asks every storage for a rescan and
// waits again. Prints one JSON object with both phases. run.sh starts the silos, the servers and the database.
//
// usage: Pcrs.Benchmarks.Cluster --connection CS --cluster-id ID [--service-id ID] --storages FILE [--out FILE]
//        [--timeout-minutes 120] [--key-file FILE]
// FILE: one storage per line, tab-separated: scheme host port start-path [user [password [pins]]] (pins: the trusted
// certificate or host-key fingerprints, comma-separated "SHA256:..."). A password is declared as cipher text of the
// deployment's key ring (the silos' database and --key-file, their Secrets:KeyFile), as the web front sends it. Each
// declaration is proven, then scanned.
var options = DriverOptions.Parse(args);
var storages = StorageLine.Read(options.StoragesFile);
var protectedPasswords = KeyRing.ProtectAll(storages, options);

var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
builder.Logging.AddConsole().SetMinimumLevel(LogLevel.Warning);
builder.UseOrleansClient(client => client
    .Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (options.ClusterId, options.ServiceId))
    .Configure<ClientMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromMinutes(2))
    .UseAdoNetClustering(o => (o.Invariant, o.ConnectionString) = ("Npgsql", options.ConnectionString)));
using var host = builder.Build();
await host.StartAsync();
var grains = host.Services.GetRequiredService<IClusterClient>();
var deadline = DateTime.UtcNow + options.Timeout;

var full = await PhaseRunner.RunAsync("full scan", grains, storages, deadline, (grain, storage, i) =>
    grain.Declare(new StorageDeclaration($"bench-{i:D4}", storage.Scheme, storage.Host, storage.Port, storage.StartPath,
        storage.User, protectedPasswords[i], false, false, storage.Pins)));
var rescan = await PhaseRunner.RunAsync("unchanged rescan", grains, storages, deadline, (grain, _, _) => grain.RequestScan());

string json = JsonSerializer.Serialize(new
{
    storages = storages.Count,
    full,
    rescan,
    rescanSpeedup = rescan.Seconds > 0 ? Math.Round(full.Seconds / rescan.Seconds, 2) : 0,
}, new JsonSerializerOptions { WriteIndented = true });
Console.WriteLine(json);
if (options.OutFile is not null)
    await File.WriteAllTextAsync(options.OutFile, json);
await host.StopAsync();
return full.FailedStorages + rescan.FailedStorages == 0 && !full.TimedOut && !rescan.TimedOut ? 0 : 1;

namespace Pcrs.Benchmarks.Cluster
{
    internal sealed record DriverOptions(string ConnectionString, string ClusterId, string ServiceId, string StoragesFile,
        string? OutFile, TimeSpan Timeout, string? KeyFile)
    {
        public static DriverOptions Parse(string[] args)
        {
            string? Get(string name)
            {
                int i = Array.IndexOf(args, name);
                return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
            }
            string Need(string name) => Get(name) ?? throw new ArgumentException($"{name} is required");
            return new DriverOptions(Need("--connection"), Need("--cluster-id"), Get("--service-id") ?? "pcrs", Need("--storages"),
                Get("--out"), TimeSpan.FromMinutes(double.Parse(Get("--timeout-minutes") ?? "120", CultureInfo.InvariantCulture)),
                Get("--key-file"));
        }
    }

    internal sealed record StorageLine(string Scheme, string Host, int Port, string StartPath, string? User, string? Password,
        string[]? Pins)
    {
        public static List<StorageLine> Read(string path) => File.ReadLines(path)
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .Select(line => line.Split('\t'))
            .Select(f => new StorageLine(f[0], f[1], int.Parse(f[2], CultureInfo.InvariantCulture), f[3],
                Field(f, 4), Field(f, 5), Field(f, 6)?.Split(',')))
            .ToList();

        private static string? Field(string[] fields, int i) => fields.Length > i && fields[i].Length > 0 ? fields[i] : null;

        /// <summary>The StorageGrain key: the storage identity as StorageLocation.IdentityKey writes it (no password, no path).</summary>
        public string Key => $"{(Scheme.StartsWith("ftp", StringComparison.Ordinal) ? "ftp" : Scheme)}://{(User is null ? "" : Uri.EscapeDataString(User) + "@")}{Host}:{Port}";
    }

    internal sealed record PhaseResult(string Phase, double Seconds, long Files, long Directories, long Analysed, long Unchanged,
        long Errors, long BytesRead, double FilesPerSecond, int FailedStorages, bool TimedOut, string? FirstError, double StartedAt, double EndedAt,
        double[] StorageSeconds, long[] StorageFiles);

    internal static class PhaseRunner
    {
        /// <summary>Starts the phase on every storage (a few calls in flight), then polls every storage until each has
        /// finished the scan it started; the clock runs from the first start to the last finish seen.</summary>
        public static async Task<PhaseResult> RunAsync(string phase, IGrainFactory grains, List<StorageLine> storages, DateTime deadline,
            Func<IStorageGrain, StorageLine, int, Task<StorageScanView>> start)
        {
            Console.Error.WriteLine($"[driver] {DateTime.UtcNow:HH:mm:ss} {phase}: starting {storages.Count} storages");
            double startedAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
            var clock = Stopwatch.StartNew();
            var expected = new long[storages.Count];
            using (var gate = new SemaphoreSlim(16))
            {
                await Task.WhenAll(storages.Select(async (storage, i) =>
                {
                    await gate.WaitAsync();
                    try
                    {
                        for (int attempt = 1; ; attempt++)
                        {
                            try
                            {
                                var view = await start(grains.GetGrain<IStorageGrain>(storage.Key), storage, i);
                                expected[i] = view.ScanNumber;
                                break;
                            }
                            catch (Exception e) when (attempt < 3)
                            {
                                // A call that timed out on an overloaded machine; declaring again joins the same storage.
                                Console.Error.WriteLine($"[driver] {phase}: starting {storage.Key} failed ({e.GetType().Name}); again");
                            }
                        }
                    }
                    finally
                    {
                        gate.Release();
                    }
                }));
            }
            Console.Error.WriteLine($"[driver] {phase}: all started in {clock.Elapsed.TotalSeconds:0.0} s");

            var views = new StorageScanView?[storages.Count];
            // When each storage was first seen finished (seconds from the phase's start): a slow protocol shows in a mix.
            var finishedAfter = new double[storages.Count];
            var lastPrint = TimeSpan.Zero;
            bool timedOut = false;
            while (true)
            {
                var pending = Enumerable.Range(0, storages.Count).Where(i => views[i] is not { Status: ScanStatus.Succeeded or ScanStatus.Failed or ScanStatus.Partial } || views[i]!.ScanNumber < expected[i]).ToList();
                foreach (int i in Enumerable.Range(0, storages.Count).Except(pending).Where(i => finishedAfter[i] == 0))
                    finishedAfter[i] = Math.Round(clock.Elapsed.TotalSeconds, 2);
                if (pending.Count == 0)
                    break;
                if (DateTime.UtcNow > deadline)
                {
                    timedOut = true;
                    break;
                }
                await Task.WhenAll(pending.Select(async i => views[i] = await grains.GetGrain<IStorageGrain>(storages[i].Key).GetStatus()));
                if (clock.Elapsed - lastPrint >= TimeSpan.FromSeconds(10))
                {
                    lastPrint = clock.Elapsed;
                    long done = views.Sum(v => v is null ? 0 : v.Progress.Analysed + v.Progress.Unchanged);
                    Console.Error.WriteLine($"[driver] {DateTime.UtcNow:HH:mm:ss} {phase}: {clock.Elapsed.TotalSeconds:0} s, {pending.Count} storages running, {done} files done ({done / clock.Elapsed.TotalSeconds:0}/s)");
                }
                await Task.Delay(250);
            }
            clock.Stop();
            var all = views.Select(v => v ?? StorageScanView.None).ToList();
            long files = all.Sum(v => v.Progress.Files);
            var result = new PhaseResult(phase, Math.Round(clock.Elapsed.TotalSeconds, 2), files, all.Sum(v => v.Progress.Directories),
                all.Sum(v => v.Progress.Analysed), all.Sum(v => v.Progress.Unchanged), all.Sum(v => v.Progress.Errors),
                all.Sum(v => v.Progress.BytesRead), Math.Round(files / clock.Elapsed.TotalSeconds, 1),
                all.Count(v => v.Status == ScanStatus.Failed), timedOut, all.Select(v => v.LastError).FirstOrDefault(e => e is not null),
                startedAt, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0, finishedAfter, all.Select(v => v.Progress.Files).ToArray());
            Console.Error.WriteLine($"[driver] {DateTime.UtcNow:HH:mm:ss} {phase}: {result}");
            return result;
        }
    }
}
