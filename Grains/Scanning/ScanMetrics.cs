using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Pcrs.Grains.Scanning;

/// <summary>
/// The scanner's OpenTelemetry instruments (meter "Pcrs.Scanning"), per silo: exported by the hosts (Prometheus at
/// /metrics on the web front, OTLP when configured). Files per second is the rate of pcrs.scan.files.
/// </summary>
public static class ScanMetrics
{
    public const string MeterName = "Pcrs.Scanning";

    private static readonly Meter Meter = new(MeterName);
    private static readonly ConcurrentDictionary<string, byte> Running = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, long> Leases = new(StringComparer.Ordinal);

    private static readonly Counter<long> Files = Meter.CreateCounter<long>("pcrs.scan.files", "{file}", "Data files whose header this silo read.");
    private static readonly Counter<long> Bytes = Meter.CreateCounter<long>("pcrs.scan.bytes_read", "By", "Bytes read from storages for headers.");
    private static readonly Counter<long> Directories = Meter.CreateCounter<long>("pcrs.scan.directories", "{directory}", "Directories this silo listed.");
    private static readonly Counter<long> Errors = Meter.CreateCounter<long>("pcrs.scan.errors", "{error}", "Files that could not be read, by kind.");

    static ScanMetrics()
    {
        Meter.CreateObservableGauge("pcrs.scans.running", () => (long)Running.Count, "{scan}",
            "Scans running whose StorageGrain lives on this silo.");
        Meter.CreateObservableGauge("pcrs.connection.leases", ObserveLeases, "{connection}",
            "Connection leases this silo's pools hold, per storage (the limit is cluster-wide).");
    }

    internal static void ScanStarted(string storageKey) => Running[storageKey] = 0;

    internal static void ScanEnded(string storageKey) => Running.TryRemove(storageKey, out _);

    internal static void FileRead(long bytesRead, string? errorKind)
    {
        Files.Add(1);
        Bytes.Add(bytesRead);
        if (errorKind is not null)
            Errors.Add(1, new KeyValuePair<string, object?>("kind", errorKind));
    }

    internal static void DirectoryListed() => Directories.Add(1);

    internal static void LeaseHeld(string storageKey, int delta) => Leases.AddOrUpdate(storageKey, delta, (_, held) => held + delta);

    private static IEnumerable<Measurement<long>> ObserveLeases()
    {
        foreach (var (storage, held) in Leases)
            yield return new Measurement<long>(held, new KeyValuePair<string, object?>("storage", storage));
    }
}
