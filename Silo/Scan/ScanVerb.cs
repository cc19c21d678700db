using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Pcrs.Grains.Catalogue;
using Pcrs.Grains.Formats;
using Pcrs.Grains.Hosting.Secrets;
using Pcrs.Grains.Interfaces.Scanning;
using Pcrs.Grains.Scanning;
using Pcrs.Grains.Storage;
using Serilog;
using Serilog.Events;

namespace Pcrs.Silo.Scan;

/// <summary>
/// <c>Pcrs.Silo scan &lt;storage-url&gt;</c>: boots a single-node cluster in this process (localhost clustering,
/// in-memory catalogue and reminders, no database), scans the storage through the same StorageGrain, DirectoryGrain and
/// FileGrain pipeline as the service, and prints what it found. Exit codes: 0 scan completed (even with per-file
/// errors), 2 bad command line or malformed URL, 3 storage unreachable or login refused, 1 unexpected failure.
/// </summary>
/// <remarks>
/// The service refuses loopback and private addresses unless an administrator allows them; this verb is an operator's
/// tool, so it allows exactly the addresses the URL's host resolves to (and nothing else, e.g. redirects elsewhere).
/// </remarks>
internal static class ScanVerb
{
    public const int Completed = 0;
    public const int Failed = 1;
    public const int BadArguments = 2;
    public const int Unreachable = 3;

    private const string DeliverableId = "scan-verb";

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);

    public static async Task<int> RunAsync(string[] args)
    {
        // stdout is reserved for results: every log line goes to stderr.
        Log.Logger = new LoggerConfiguration()
            .MinimumLevel.Warning()
            .MinimumLevel.Override("Orleans", LogEventLevel.Error)
            .MinimumLevel.Override("Microsoft", LogEventLevel.Error)
            .MinimumLevel.Override("Polly", LogEventLevel.Error)
            .WriteTo.Console(standardErrorFromLevel: LogEventLevel.Verbose, formatProvider: System.Globalization.CultureInfo.InvariantCulture)
            .CreateLogger();

        ScanArguments arguments;
        StorageLocation location;
        string? password;
        try
        {
            arguments = ScanArguments.Parse(args);
            location = StorageLocation.Parse(arguments.Url, out password);
            if (arguments.User is not null)
                location = location with { UserName = arguments.User };
            if (arguments.PasswordVariable is not null)
            {
                password = Environment.GetEnvironmentVariable(arguments.PasswordVariable)
                    ?? throw new ArgumentException($"The environment variable {arguments.PasswordVariable} (--password-env) is not set.");
            }
        }
        catch (Exception e) when (e is ArgumentException or StorageException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            Console.Error.WriteLine(ScanArguments.Usage);
            return BadArguments;
        }

        IPAddress[] addresses = [];
        if (location.Protocol != StorageProtocol.File)
        {
            try
            {
                addresses = IPAddress.TryParse(location.Host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(location.Host);
            }
            catch (SocketException e)
            {
                Console.Error.WriteLine($"error: the host \"{location.Host}\" could not be resolved ({e.SocketErrorCode}).");
                return Unreachable;
            }
        }

        // A URL naming one data file scans that file alone (and its sidecars), from a listing of its folder.
        string root = location.Path;
        string? onlyFile = null;
        if (root != "/" && DataFiles.IsDataFile(StoragePaths.FileName(root)))
        {
            onlyFile = root;
            root = StoragePaths.Parent(root);
        }

        using var host = await StartHostAsync(arguments, addresses, onlyFile);
        try
        {
            return await ScanAsync(host.Services, arguments, location with { Path = root }, password, onlyFile);
        }
        finally
        {
            // Close the storage connections while the silo still runs: their leases go back to the StorageGrain by grain
            // calls, which a stopping silo rejects (one ERR line with a stack trace per connection on stderr).
            await host.Services.GetRequiredService<StorageClientCache>().DisposeAsync();
            using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await host.StopAsync(stopping.Token);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    private static async Task<int> ScanAsync(IServiceProvider services, ScanArguments arguments, StorageLocation location, string? password, string? onlyFile)
    {
        var clock = Stopwatch.StartNew();
        var grains = services.GetRequiredService<IGrainFactory>();
        var catalogue = services.GetRequiredService<ICatalogue>();
        string storageKey = location.IdentityKey;
        var storage = grains.GetGrain<IStorageGrain>(storageKey);
        // The password crosses to the grain as cipher text of this process's key, like the service's does with its key ring.
        string? protectedPassword = password is null ? null : services.GetRequiredService<ISecretProtector>().Protect(password);
        await storage.Declare(new StorageDeclaration(DeliverableId, StorageLocation.ProtocolScheme(location.Protocol), location.Host,
            location.Port, location.Path, location.UserName, protectedPassword, false, false));

        var progress = new ProgressLine();
        StorageScanView view;
        while (true)
        {
            // The login is proven first: a refused one ends the run with the server's reason (no scan starts).
            if (await catalogue.GetDeclarationAsync(DeliverableId) is { State: DeclarationState.Failed } refused)
            {
                progress.Done();
                Console.Error.WriteLine($"error: {Sentence(refused.StateError ?? "the login was refused.")}");
                return Unreachable;
            }
            view = await storage.GetStatus();
            progress.Show(view, clock.Elapsed);
            if (view.Status is ScanStatus.Succeeded or ScanStatus.Failed or ScanStatus.Partial)
                break;
            // Two in-process calls a poll: polling often costs little, and the verb ends as soon as the scan does
            // (a 250 ms poll added 125 ms on average to a one-file scan of about a second).
            await Task.Delay(PollInterval);
        }
        progress.Done();
        if (view.Status == ScanStatus.Failed)
        {
            Console.Error.WriteLine($"error: {Sentence(view.LastError ?? "the storage could not be listed.")}");
            return Unreachable;
        }

        var tiles = new List<TileRow>();
        await foreach (var tile in catalogue.QueryTilesAsync(storageKey, location.Path))
        {
            if (onlyFile is null || tile.Path == onlyFile)
                tiles.Add(tile);
        }
        var summary = onlyFile is null
            ? await catalogue.SummarizeAsync(storageKey, location.Path)
            : new CatalogueSummary(tiles.Count, 0, []);
        // The start folder was listed too: a flat folder is one directory, not zero.
        long directoriesListed = onlyFile is null ? summary.Directories + 1 : 0;
        double elapsed = clock.Elapsed.TotalSeconds;
        string prefix = onlyFile is null ? location.Path : StoragePaths.Parent(onlyFile);
        if (arguments.Json)
        {
            var stdout = Console.Out;
            foreach (var tile in tiles)
                await stdout.WriteLineAsync(ScanOutput.FileLine(tile, Relative(tile.Path, prefix)));
            await stdout.WriteLineAsync(ScanOutput.SummaryLine(summary, directoriesListed, tiles, elapsed));
            await stdout.FlushAsync();
        }
        else
        {
            var scanSummary = onlyFile is null
                ? ScanSummaries.Build(summary, DateTimeOffset.UtcNow)
                : ScanSummaries.Build(new CatalogueSummary(1, 0, tiles.Select(t => new TileGroup(t.Format, t.Classification, t.Epsg, t.CrsName, t.BandNames, 1, t.Size ?? 0, t.Error is null ? 0 : 1)).ToList()), DateTimeOffset.UtcNow);
            Console.Out.Write(ScanOutput.Human(arguments.Url.Contains('@') ? location.ToString() : arguments.Url, scanSummary, directoriesListed, tiles, elapsed, path => Relative(path, prefix)));
        }
        return Completed;
    }

    private static IHost BuildHost(ScanArguments arguments, IPAddress[] addresses, string? onlyFile)
    {
        var settings = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["Scanning:MaxConnectionsPerStorage"] = arguments.MaxConnections.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        if (arguments.PipelineDepth is { } depth)
            settings["Scanning:HttpPipelineDepth"] = depth.ToString(System.Globalization.CultureInfo.InvariantCulture);
        for (int i = 0; i < addresses.Length; i++)
        {
            var address = addresses[i].IsIPv4MappedToIPv6 ? addresses[i].MapToIPv4() : addresses[i];
            settings[$"Scanning:AllowedNetworks:{i}"] = $"{address}/{(address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128)}";
        }
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddSerilog();
        builder.Services.AddSingleton(new ScanTrustOverrides(arguments.Insecure, arguments.Trust));
        builder.Services.AddStorageAccess(builder.Configuration);
        if (onlyFile is not null)
        {
            builder.Services.AddSingleton<IStorageClientFactory>(services => new OneFileClientFactory(new StorageClientFactory(
                services.GetRequiredService<IAddressGuard>(), services.GetRequiredService<IOptions<StorageAccessOptions>>(),
                services.GetService<ILoggerFactory>()), onlyFile));
        }
        builder.Services.AddPcrsScanning(builder.Configuration);
        builder.Services.AddTileReader(builder.Configuration);
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(FreePort(), FreePort(), null, "pcrs-scan", "pcrs-scan-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(4)));
            silo.AddReminders();
            silo.Services.AddSingleton<IReminderTable, ProcessReminderTable>();
            silo.Configure<ClusterMembershipOptions>(o => o.NumMissedProbesLimit = 3);
        });
        return builder.Build();
    }

    /// <summary>
    /// Starts the in-process silo. Its ports are found free before the silo binds them, and in between another process can
    /// take one (outgoing connections draw from the same ephemeral range): the silo then starts again on new ports.
    /// </summary>
    private static async Task<IHost> StartHostAsync(ScanArguments arguments, IPAddress[] addresses, string? onlyFile)
    {
        for (int attempt = 1; ; attempt++)
        {
            var host = BuildHost(arguments, addresses, onlyFile);
            try
            {
                await host.StartAsync();
                return host;
            }
            catch (Exception e) when (attempt < 3 && IsAddressInUse(e))
            {
                host.Dispose();
            }
        }
    }

    private static bool IsAddressInUse(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse })
                return true;
        }
        return false;
    }

    /// <summary>A free loopback port, so the verb never collides with a running silo or an FTP server's passive range.</summary>
    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string Relative(string path, string prefix) =>
        prefix == "/" ? path : path.Length > prefix.Length ? path[prefix.Length..] : "/";

    private static string Sentence(string text) => text.EndsWith('.') ? text : text + ".";
}
