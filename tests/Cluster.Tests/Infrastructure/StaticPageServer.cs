using System.Diagnostics;
using System.Globalization;

namespace Pcrs.Cluster.Tests.Infrastructure;

/// <summary>
/// A folder served over HTTP by a process of its own (static_page_server.py): pages the test writes to disk are neither
/// held nor served by the test's process, so that process's memory is the silo's. A path ending in '/' is answered
/// with that folder's index.html; files are read at every request, so a page may be replaced between scans.
/// </summary>
public sealed class StaticPageServer : IAsyncDisposable
{
    private readonly Process _process;

    private StaticPageServer(string root, Process process, int port) => (Root, _process, Port) = (root, process, port);

    /// <summary>The served folder (deleted on dispose).</summary>
    public string Root { get; }

    public int Port { get; }

    public static async Task<StaticPageServer> StartAsync(CancellationToken cancellationToken)
    {
        string root = Directory.CreateTempSubdirectory("pcrs-pages-").FullName;
        var start = new ProcessStartInfo("python3", [Path.Combine(AppContext.BaseDirectory, "Infrastructure", "static_page_server.py"), root])
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("python3 did not start");
        string? line = await process.StandardOutput.ReadLineAsync(cancellationToken).AsTask().WaitAsync(TimeSpan.FromMinutes(1), cancellationToken);
        if (line is null || !int.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out int port))
        {
            process.Kill();
            throw new InvalidOperationException($"the page server did not say its port: {line}");
        }
        return new StaticPageServer(root, process, port);
    }

    /// <summary>Writes (or atomically replaces) the file at <paramref name="relativePath"/> ("sub/index.html").</summary>
    public async Task WriteAsync(string relativePath, Func<TextWriter, Task> write)
    {
        string path = Path.Combine(Root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        string temporary = path + ".writing";
        await using (var writer = new StreamWriter(temporary))
            await write(writer);
        File.Move(temporary, path, overwrite: true);
    }

    public Task WriteAsync(string relativePath, byte[] bytes)
    {
        string path = Path.Combine(Root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return File.WriteAllBytesAsync(path, bytes);
    }

    /// <summary>The request paths received so far, in order.</summary>
    public IReadOnlyList<string> RequestPaths()
    {
        string log = Path.Combine(Root, "requests.log");
        if (!File.Exists(log))
            return [];
        using var stream = new FileStream(log, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
            _process.Kill();
        await _process.WaitForExitAsync();
        _process.Dispose();
        Directory.Delete(Root, recursive: true);
    }
}
