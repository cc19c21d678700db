using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Npgsql;
using Pcrs.Grains.Catalogue.Database;
using Pcrs.Grains.Hosting.Postgres;
using Pcrs.Grains.Hosting.Settings;

namespace Pcrs.Grains.Hosting;

/// <summary>
/// The one PostgreSQL database of a deployment, ready to use: the external server named by ConnectionStrings:Pcrs,
/// or else the embedded server this process starts (or joins) in its data folder. Opening it applies the schema
/// migrations. Disposing it stops the embedded server if this process started it.
/// </summary>
public sealed class PcrsDatabase : IAsyncDisposable, IDisposable
{
    public const string ConnectionStringName = "Pcrs";

    // Databases opened by this process and not yet disposed, so a start-up failure can still stop an embedded server.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<PcrsDatabase, byte> Open = new();

    private readonly IAsyncDisposable? _embedded; // the embedded server, stopped on dispose
    private int _disposed;

    private PcrsDatabase(string connectionString, IAsyncDisposable? embedded)
    {
        ConnectionString = connectionString;
        _embedded = embedded;
        DataSource = NpgsqlDataSource.Create(connectionString);
        Open[this] = 0;
    }

    /// <summary>Holds a password: pass it to providers, never to a log.</summary>
    public string ConnectionString { get; }

    /// <summary>The shared connection pool for the product's own queries.</summary>
    public NpgsqlDataSource DataSource { get; }

    /// <summary>True when the database is the embedded server (single-node default).</summary>
    public bool IsEmbedded => _embedded is not null;

    /// <summary>True when ConnectionStrings:Pcrs names an external server.</summary>
    public static bool IsExternalConfigured(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration.GetConnectionString(ConnectionStringName));

    /// <summary>Connects (starting the embedded server when no connection string is configured) and migrates.</summary>
    public static async Task<PcrsDatabase> OpenAsync(
        IConfiguration configuration, ILoggerFactory loggerFactory, CancellationToken ct = default)
    {
        ILogger logger = loggerFactory.CreateLogger<PcrsDatabase>();
        string? external = configuration.GetConnectionString(ConnectionStringName);
        IAsyncDisposable? embedded = null;
        string connectionString;
        if (!string.IsNullOrWhiteSpace(external))
        {
            connectionString = external;
            var safe = new NpgsqlConnectionStringBuilder(external);
            logger.LogInformation("Using PostgreSQL {Host}:{Port}, database {Database}", safe.Host, safe.Port, safe.Database);
        }
        else if (OperatingSystem.IsWindows())
        {
            throw new EmbeddedPostgresException("The embedded PostgreSQL needs Linux; configure ConnectionStrings:Pcrs.");
        }
        else
        {
            var options = new EmbeddedPostgresOptions();
            configuration.GetSection(EmbeddedPostgresOptions.Section).Bind(options);
            HostingOptionsValidation.Validated(options, EmbeddedPostgresOptions.Section);
            EmbeddedPostgres server = await EmbeddedPostgres.StartAsync(options, loggerFactory.CreateLogger<EmbeddedPostgres>(), ct);
            embedded = server;
            connectionString = server.ConnectionString;
        }

        var database = new PcrsDatabase(connectionString, embedded);
        try
        {
            await database.MigrateAsync(loggerFactory, ct);
            return database;
        }
        catch
        {
            await database.DisposeAsync();
            throw;
        }
    }

    public Task<IReadOnlyList<int>> MigrateAsync(ILoggerFactory loggerFactory, CancellationToken ct = default) =>
        new SchemaMigrator(DataSource, loggerFactory.CreateLogger<SchemaMigrator>()).ApplyAsync(ct);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Open.TryRemove(this, out _);
        await DataSource.DisposeAsync();
        if (_embedded is not null)
        {
            await _embedded.DisposeAsync();
        }
    }

    /// <summary>
    /// For a host that failed before its container took ownership: disposes every database this process opened
    /// (an embedded server it started is stopped instead of being left behind).
    /// </summary>
    public static async Task DisposeAllOpenAsync()
    {
        foreach (PcrsDatabase database in Open.Keys)
        {
            await database.DisposeAsync();
        }
    }

    // The DI container may dispose synchronously; stopping the server is short, so block on it.
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}
