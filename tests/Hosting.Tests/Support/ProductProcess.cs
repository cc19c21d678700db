using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace Pcrs.Hosting.Tests.Support;

/// <summary>
/// One real product process (`dotnet Pcrs.Silo.dll` or `dotnet Pcrs.WebFront.dll`, as built next to the tests),
/// with its output kept for failure messages. Stopped with SIGTERM, like a service manager does, or killed with SIGKILL
/// (a crash: no shutdown code runs, sockets are closed by the kernel).
/// </summary>
public sealed class ProductProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ProductProcess(Process process, string name)
    {
        _process = process;
        Name = name;
    }

    public string Name { get; }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static ProductProcess Start(string name, string assemblyName, IReadOnlyDictionary<string, string?> environment,
        params string[] arguments) => StartWith([], name, assemblyName, environment, arguments);

    /// <summary>
    /// Starts the product through <paramref name="launcher"/> (e.g. <c>ip netns exec NS</c>: it execs dotnet, so the
    /// process id, signals included, is the product's).
    /// </summary>
    public static ProductProcess StartWith(IReadOnlyList<string> launcher, string name, string assemblyName,
        IReadOnlyDictionary<string, string?> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo(launcher.Count > 0 ? launcher[0] : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // Like `dotnet run`: the project folder is the content root (the web front serves wwwroot from there).
            WorkingDirectory = RepoPaths.ProjectDirectoryOf(assemblyName),
        };
        if (launcher.Count > 0)
        {
            foreach (string part in launcher.Skip(1))
                start.ArgumentList.Add(part);
            start.ArgumentList.Add("dotnet");
        }
        start.ArgumentList.Add(RepoPaths.AssemblyOf(assemblyName));
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // The product must not pick up a database or cluster from the machine running the tests.
        foreach (string key in start.Environment.Keys.ToList())
        {
            if (key.StartsWith("ConnectionStrings__", StringComparison.OrdinalIgnoreCase) ||
                key.StartsWith("Orleans__", StringComparison.OrdinalIgnoreCase) ||
                key.StartsWith("Database__", StringComparison.OrdinalIgnoreCase) ||
                key.Equals("ASPNETCORE_URLS", StringComparison.OrdinalIgnoreCase))
            {
                start.Environment.Remove(key);
            }
        }

        foreach ((string key, string? value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start };
        var product = new ProductProcess(process, name);
        process.OutputDataReceived += (_, e) => product.Append(e.Data);
        process.ErrorDataReceived += (_, e) => product.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return product;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout, CancellationToken ct = default)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        await _process.WaitForExitAsync(limit.Token);
        return _process.ExitCode;
    }

    /// <summary>
    /// Waits until this web front answers 200 on <c>/health</c> at <paramref name="baseUrl"/>; false when the process exits
    /// first or <paramref name="timeout"/> passes.
    /// </summary>
    public async Task<bool> WaitHealthyAsync(string baseUrl, TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
        bool answered = await Eventually.TrueAsync(async () =>
        {
            if (HasExited)
                return true;
            try
            {
                return (await http.GetAsync($"{baseUrl}/health")).StatusCode == System.Net.HttpStatusCode.OK;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, timeout, TimeSpan.FromSeconds(1));
        return answered && !HasExited;
    }

    /// <summary>Graceful stop (SIGTERM), then a kill if it does not end within <paramref name="grace"/>.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (_process.HasExited)
        {
            return;
        }

        _ = kill(_process.Id, SigTerm);
        try
        {
            await WaitForExitAsync(grace);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    /// <summary>SIGKILL: the process ends at once, as in a power cut or an out-of-memory kill.</summary>
    public async Task KillAsync()
    {
        if (_process.HasExited)
        {
            return;
        }

        _ = kill(_process.Id, SigKill);
        await _process.WaitForExitAsync();
    }

    public int ProcessId => _process.Id;

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(30));
        _process.Dispose();
    }

    public override string ToString() => $"--- {Name} output ---\n{Output}";

    private const int SigTerm = 15;
    private const int SigKill = 9;

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);
}
