using System.Diagnostics;
using System.Globalization;

namespace Pcrs.TestSupport;

/// <summary>
/// Samples, with <c>ss</c>, the TCP connections established to a local server port: the server-side view of a limit.
/// With <c>ownProcessOnly</c>, only the server's sockets whose peer is a socket of this test process are counted, so
/// tests of other projects (or other people's runs) talking to the same server at the same time are not counted; with
/// <c>clientProcesses</c>, only those whose peer is a socket of one of the given processes (e.g. silos the test started).
/// </summary>
public sealed class ConnectionSampler : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly Func<IReadOnlyCollection<int>>? _clientProcesses;
    private readonly HashSet<int> _seen = [];

    public ConnectionSampler(int port, bool ownProcessOnly = false)
        : this(port, ownProcessOnly ? () => [Environment.ProcessId] : null)
    {
    }

    /// <param name="port">The server's port.</param>
    /// <param name="clientProcesses">Processes whose connections count (asked at every sample: processes come and go); null counts all.</param>
    public ConnectionSampler(int port, Func<IReadOnlyCollection<int>>? clientProcesses)
    {
        _clientProcesses = clientProcesses;
        _loop = Task.Run(() => RunAsync(port));
    }

    public int Peak { get; private set; }

    /// <summary>Connections counted by the last sample.</summary>
    public int Current { get; private set; }

    /// <summary>
    /// Starts a new peak, and a new <see cref="Current"/>, from the samples begun after this call (e.g. after a limit was
    /// lowered). A sample already under way when it is called saw the connections of before and counts for neither.
    /// </summary>
    public void ResetPeak() => Interlocked.Increment(ref _generation);

    private long _generation;

    /// <summary>Samples kept for <see cref="LastSamplesAtMost"/>.</summary>
    private const int RecentSamples = 16;

    /// <summary>Samples begun after the last <see cref="ResetPeak"/> and finished.</summary>
    public int SamplesSinceReset { get; private set; }

    private readonly Queue<int> _recent = new();

    /// <summary>
    /// The last <paramref name="samples"/> samples since the last <see cref="ResetPeak"/> all counted at most
    /// <paramref name="limit"/>. Several, not one: <c>ss</c> names a socket's process from a scan of /proc made before
    /// it lists the sockets, so a connection opened in between is missed once.
    /// </summary>
    public bool LastSamplesAtMost(int limit, int samples)
    {
        lock (_recent)
            return _recent.Count >= samples && _recent.Skip(_recent.Count - samples).All(count => count <= limit);
    }

    public int Samples { get; private set; }

    /// <summary>Samples that saw at least one connection.</summary>
    public int BusySamples { get; private set; }

    /// <summary>
    /// Distinct connections seen (by client port; with <c>ownProcessOnly</c> or <c>clientProcesses</c>, theirs only): how many were opened,
    /// give or take one shorter-lived than a sampling interval (tens of milliseconds).
    /// </summary>
    public int DistinctConnections
    {
        get { lock (_seen) return _seen.Count; }
    }

    private async Task RunAsync(int port)
    {
        bool filtered = _clientProcesses is not null;
        string filter = filtered ? $"( sport = :{port} or dport = :{port} )" : $"( sport = :{port} )";
        string options = filtered ? "-Htnp" : "-Htn";
        long generation = -1;
        while (!_stop.IsCancellationRequested)
        {
            long begun = Interlocked.Read(ref _generation);
            var start = new ProcessStartInfo("ss", $"{options} state established {filter}") { RedirectStandardOutput = true };
            using var process = Process.Start(start)!;
            string output = await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var clientPorts = _clientProcesses is { } clients ? ClientPortsOf(lines, port, clients()) : lines.Select(ClientPortOf).ToList();
            int count = clientPorts.Count;
            lock (_seen)
                _seen.UnionWith(clientPorts);
            Samples++;
            if (begun != Interlocked.Read(ref _generation))
                continue; // begun before a reset: the next sample counts
            if (begun != generation)
            {
                generation = begun;
                Peak = 0;
                SamplesSinceReset = 0;
                lock (_recent)
                    _recent.Clear();
            }
            lock (_recent)
            {
                _recent.Enqueue(count);
                if (_recent.Count > RecentSamples)
                    _recent.Dequeue();
            }
            Current = count;
            Peak = Math.Max(Peak, count);
            SamplesSinceReset++;
            if (count > 0)
                BusySamples++;
            try
            {
                await Task.Delay(20, _stop.Token);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    /// <summary>Client ports of the server sockets (local port = the server's) whose peer is a socket of one of the clients.</summary>
    private static List<int> ClientPortsOf(string[] lines, int port, IReadOnlyCollection<int> clients)
    {
        var pids = clients.Select(pid => $"pid={pid},").ToList();
        var rows = lines.Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(c => c.Length >= 4)
            .Select(c => (Local: PortOf(c[2]), Peer: PortOf(c[3]), Line: string.Join(' ', c)))
            .ToList();
        var ourClientPorts = rows.Where(r => r.Peer == port && pids.Exists(pid => r.Line.Contains(pid, StringComparison.Ordinal)))
            .Select(r => r.Local).ToHashSet();
        return rows.Where(r => r.Local == port && ourClientPorts.Contains(r.Peer)).Select(r => r.Peer).ToList();
    }

    /// <summary>The peer (client) port of a server socket's line: "ESTAB 0 0 local:port peer:port".</summary>
    private static int ClientPortOf(string line)
    {
        var columns = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return columns.Length >= 4 ? PortOf(columns[3]) : -1;
    }

    private static int PortOf(string endpoint) =>
        int.TryParse(endpoint[(endpoint.LastIndexOf(':') + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int port) ? port : -1;

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await _loop;
        _stop.Dispose();
    }
}
