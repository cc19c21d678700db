using System.Diagnostics;

namespace Pcrs.Hosting.Tests.Support;

/// <summary>
/// Hosts of a multi-machine set-up on this machine: one network namespace each, on a bridge of the root namespace, made
/// by tests/netns/netns.sh (which a benchmark can use alone). Disposing deletes them, whatever the test's outcome, and
/// kills what still runs inside.
/// </summary>
public sealed class NetworkHosts : IAsyncDisposable
{
    private readonly Dictionary<string, string> _addresses = new(StringComparer.Ordinal);

    private NetworkHosts(string tag, int octet)
    {
        Tag = tag;
        Octet = octet;
    }

    public string Tag { get; }

    public int Octet { get; }

    /// <summary>The root namespace's address on the bridge (services of this namespace listen there).</summary>
    public string Gateway => $"10.{Octet}.0.1";

    /// <summary>The subnet of every host, for settings such as Scanning:AllowedNetworks.</summary>
    public string Subnet => $"10.{Octet}.0.0/24";

    public static string Script => Path.Combine(RepoPaths.Root, "tests", "netns", "netns.sh");

    public string AddressOf(string host) => _addresses[host];

    /// <summary>The command prefix that runs a program inside <paramref name="host"/>.</summary>
    public IReadOnlyList<string> Launcher(string host) => ["ip", "netns", "exec", $"{Tag}-{host}"];

    /// <summary>Creates the hosts; a tag and subnet of their own per run (tests of several runs may overlap).</summary>
    public static async Task<NetworkHosts> UpAsync(params string[] hosts)
    {
        string tag = "pm" + Guid.NewGuid().ToString("N")[..6];
        int octet = 100 + Random.Shared.Next(0, 150);
        var created = new NetworkHosts(tag, octet);
        try
        {
            string output = await RunAsync([Script, "up", tag, octet.ToString(System.Globalization.CultureInfo.InvariantCulture), .. hosts]);
            foreach (string line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                var parts = line.Split(' ');
                created._addresses[parts[0]] = parts[1];
            }
            return created;
        }
        catch
        {
            await created.DisposeAsync();
            throw;
        }
    }

    /// <summary>Pulls the cable of <paramref name="host"/>: its link goes down at both ends.</summary>
    public Task CutAsync(string host) => RunAsync([Script, "cut", Tag, host]);

    public async ValueTask DisposeAsync() => await RunAsync([Script, "down", Tag]);

    private static async Task<string> RunAsync(IReadOnlyList<string> command)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string part in command)
            start.ArgumentList.Add(part);
        using var process = Process.Start(start)!;
        string output = await process.StandardOutput.ReadToEndAsync();
        string error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{string.Join(' ', command)} failed ({process.ExitCode}): {error}");
        return output;
    }
}
