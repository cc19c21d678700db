using System.Net;
using System.Globalization;
using System.Net.Sockets;
using System.Runtime.Versioning;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Pcrs.Grains.Hosting.Postgres;

/// <summary>
/// A PostgreSQL cluster run by the application itself in a data folder, for the single-node default.
/// Layout: &lt;data dir&gt;/cluster (PGDATA, owned by the server account), &lt;data dir&gt;/embedded-postgres.json
/// (generated password, last port). The server listens on 127.0.0.1 with password authentication; its unix socket
/// sits inside the cluster folder. A server already running on that folder (another process of ours, or a crash
/// that left it behind) is reused and left running; one we started is stopped by <see cref="DisposeAsync"/>.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class EmbeddedPostgres : IAsyncDisposable
{
    public const string DatabaseName = "pcrs";
    public const string RoleName = "pcrs";

    private readonly PostgresTools _tools;
    private readonly ILogger _logger;
    private bool _ownsServer;

    private EmbeddedPostgres(string dataDirectory, PostgresTools tools, ILogger logger)
    {
        DataDirectory = dataDirectory;
        _tools = tools;
        _logger = logger;
    }

    public string DataDirectory { get; }

    public string ClusterDirectory => Path.Combine(DataDirectory, "cluster");

    public string LogFile => Path.Combine(ClusterDirectory, "pcrs-server.log");

    public int Port { get; private set; }

    /// <summary>Connection string of the application role. Holds the password: never log it.</summary>
    public string ConnectionString { get; private set; } = "";

    /// <summary>Creates the cluster on first use, starts it (or joins one already running), ensures role and database.</summary>
    public static async Task<EmbeddedPostgres> StartAsync(EmbeddedPostgresOptions options, ILogger logger, CancellationToken ct)
    {
        PostgresTools tools = PostgresTools.Locate(options.BinDirectory);
        var server = new EmbeddedPostgres(options.ResolveDataDirectory(), tools, logger);
        await server.StartCoreAsync(options.Port, ct);
        return server;
    }

    private async Task StartCoreAsync(int configuredPort, CancellationToken ct)
    {
        (int Uid, int Gid)? serverAccount = _tools.RunAsServerAccount ? PosixUser.Find(PosixUser.ServerAccount) : null;
        PrepareDataDirectory(serverAccount);

        // Processes started together (a web front and silos on one machine) take turns here.
        using FileStream startLock = await AcquireStartLockAsync(ct);

        EmbeddedPostgresState? state = EmbeddedPostgresState.Read(DataDirectory);
        bool initialised = File.Exists(Path.Combine(ClusterDirectory, "PG_VERSION"));
        if (initialised && state is null)
        {
            throw new EmbeddedPostgresException(
                $"{ClusterDirectory} exists but {EmbeddedPostgresState.FileName} (its generated password) is missing; " +
                "delete the data folder to start afresh, or configure ConnectionStrings:Pcrs.");
        }

        state ??= new EmbeddedPostgresState(EmbeddedPostgresState.NewPassword(), 0);
        if (!initialised)
        {
            state.Write(DataDirectory);
            await InitialiseClusterAsync(state.Password, serverAccount, ct);
        }

        int? runningPort = RunningServerPort();
        if (runningPort is int port)
        {
            Port = port;
            _logger.LogInformation("Using the embedded PostgreSQL already running on port {Port} ({Directory})", Port, ClusterDirectory);
        }
        else
        {
            Port = ChoosePort(configuredPort, state.Port);
            WriteServerSettings(serverAccount);
            await StartServerAsync(ct);
            _ownsServer = true;
            _logger.LogInformation("Started the embedded PostgreSQL on 127.0.0.1:{Port} ({Directory})", Port, ClusterDirectory);
        }

        if (state.Port != Port)
        {
            (state with { Port = Port }).Write(DataDirectory);
        }

        await EnsureRoleAndDatabaseAsync(state.Password, ct);
        ConnectionString = new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = Port,
            Username = RoleName,
            Password = state.Password,
            Database = DatabaseName,
        }.ConnectionString;
    }

    private void PrepareDataDirectory((int Uid, int Gid)? serverAccount)
    {
        // The data folder itself stays ours (it holds the password); the server account only needs to pass through.
        Directory.CreateDirectory(DataDirectory);
        if (serverAccount is not null)
        {
            File.SetUnixFileMode(DataDirectory,
                UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
                UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
            EnsureReachableByServerAccount(DataDirectory);
        }

        if (!Directory.Exists(ClusterDirectory))
        {
            Directory.CreateDirectory(ClusterDirectory,
                UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        if (serverAccount is { } account)
        {
            PosixUser.ChangeOwner(ClusterDirectory, account.Uid, account.Gid);
        }
    }

    /// <summary>/root is mode 700: a data folder below it cannot work when the server runs as postgres. Say so plainly.</summary>
    private static void EnsureReachableByServerAccount(string directory)
    {
        for (DirectoryInfo? dir = new DirectoryInfo(directory).Parent; dir is not null; dir = dir.Parent)
        {
            if ((dir.UnixFileMode & UnixFileMode.OtherExecute) == UnixFileMode.None)
            {
                throw new EmbeddedPostgresException(
                    $"The PostgreSQL server runs as the 'postgres' account, which cannot enter {dir.FullName}; " +
                    $"choose a Database:DataDirectory outside it (default /var/lib/pcrs) or `chmod o+x {dir.FullName}`.");
            }
        }
    }

    private async Task<FileStream> AcquireStartLockAsync(CancellationToken ct)
    {
        string path = Path.Combine(DataDirectory, ".start.lock");
        DateTime giveUp = DateTime.UtcNow.AddSeconds(120);
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < giveUp)
            {
                await Task.Delay(200, ct);
            }
        }
    }

    private async Task InitialiseClusterAsync(string password, (int Uid, int Gid)? serverAccount, CancellationToken ct)
    {
        _logger.LogInformation("Creating the embedded PostgreSQL cluster in {Directory}", ClusterDirectory);

        // initdb reads the superuser password from a file the server account can read; it is removed right after.
        string passwordFile = Path.Combine(DataDirectory, ".initdb-password");
        await File.WriteAllTextAsync(passwordFile, password + "\n", ct);
        File.SetUnixFileMode(passwordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        if (serverAccount is { } account)
        {
            PosixUser.ChangeOwner(passwordFile, account.Uid, account.Gid);
        }

        try
        {
            (int exitCode, string output) = await _tools.RunAsync("initdb",
            [
                "-D", ClusterDirectory, "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8",
                "--auth-local=scram-sha-256", "--auth-host=scram-sha-256", "--pwfile=" + Path.GetFullPath(passwordFile),
            ], ct);
            if (exitCode != 0)
            {
                throw new EmbeddedPostgresException($"initdb failed (exit {exitCode}): {output}");
            }
        }
        finally
        {
            File.Delete(passwordFile);
        }

        // Our settings live in their own file, rewritten at every start; postgresql.conf only includes it.
        await File.AppendAllTextAsync(Path.Combine(ClusterDirectory, "postgresql.conf"),
            "\n# Written by the PCRS application: port, addresses and socket are in pcrs.conf.\ninclude_if_exists = 'pcrs.conf'\n", ct);
    }

    private void WriteServerSettings((int Uid, int Gid)? serverAccount)
    {
        // A unix socket path is limited to 107 bytes; without room for it the server is reached over TCP only.
        string socket = Path.Combine(ClusterDirectory, $".s.PGSQL.{Port}");
        string socketDirectory = socket.Length < 100 ? ClusterDirectory.Replace("'", "''") : "";
        string path = Path.Combine(ClusterDirectory, "pcrs.conf");
        File.WriteAllText(path,
            $"port = {Port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{socketDirectory}'\n" +
            "unix_socket_permissions = 0700\n");
        if (serverAccount is { } account)
        {
            PosixUser.ChangeOwner(path, account.Uid, account.Gid);
        }
    }

    /// <summary>
    /// The port of a server already running on our cluster, from postmaster.pid. A pid file whose process is gone
    /// (or is not PostgreSQL: pids get reused) is stale and removed, so the next start does not trip on it.
    /// </summary>
    private int? RunningServerPort()
    {
        string pidFile = Path.Combine(ClusterDirectory, "postmaster.pid");
        if (!File.Exists(pidFile))
        {
            return null;
        }

        string[] lines = File.ReadAllLines(pidFile);
        if (lines.Length >= 4 && int.TryParse(lines[0].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int pid) && pid > 0 &&
            PosixUser.IsPostgresProcess(pid) && int.TryParse(lines[3].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int port))
        {
            return port;
        }

        _logger.LogWarning("Removing the stale {PidFile} left by a server that is no longer running", pidFile);
        File.Delete(pidFile);
        return null;
    }

    private static int ChoosePort(int configuredPort, int lastPort)
    {
        if (configuredPort > 0)
        {
            return configuredPort;
        }

        if (lastPort > 0 && IsFree(lastPort))
        {
            return lastPort;
        }

        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var probe = new TcpListener(IPAddress.Loopback, port);
            probe.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private async Task StartServerAsync(CancellationToken ct)
    {
        (int exitCode, string output) = await _tools.RunAsync("pg_ctl",
            ["-D", ClusterDirectory, "-l", LogFile, "-w", "-t", "60", "start"], ct);
        if (exitCode != 0)
        {
            throw new EmbeddedPostgresException(
                $"pg_ctl start failed (exit {exitCode}): {output}. Server log: {LogFile}");
        }
    }

    private async Task EnsureRoleAndDatabaseAsync(string password, CancellationToken ct)
    {
        var admin = new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = Port,
            Username = "postgres",
            Password = password,
            Database = "postgres",
            Pooling = false,
        };
        await using var connection = new NpgsqlConnection(admin.ConnectionString);
        await connection.OpenAsync(ct);

        // The password is hex digits only (see EmbeddedPostgresState), so it can sit in the statement text.
        await using (var role = new NpgsqlCommand($"""
            DO $$ BEGIN
              IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{RoleName}') THEN
                CREATE ROLE {RoleName} LOGIN PASSWORD '{password}';
              END IF;
            END $$
            """, connection))
        {
            await role.ExecuteNonQueryAsync(ct);
        }

        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @name", connection);
        exists.Parameters.AddWithValue("name", DatabaseName);
        if (await exists.ExecuteScalarAsync(ct) is null)
        {
            await using var create = new NpgsqlCommand($"CREATE DATABASE {DatabaseName} OWNER {RoleName}", connection);
            await create.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>Stops the server if this instance started it (fast shutdown: clients are disconnected, data is safe).</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_ownsServer)
        {
            return;
        }

        _ownsServer = false;
        NpgsqlConnection.ClearAllPools();
        (int exitCode, string output) = await _tools.RunAsync("pg_ctl",
            ["-D", ClusterDirectory, "-m", "fast", "-w", "-t", "60", "stop"], CancellationToken.None);
        if (exitCode == 0)
        {
            _logger.LogInformation("Stopped the embedded PostgreSQL ({Directory})", ClusterDirectory);
        }
        else
        {
            _logger.LogWarning("pg_ctl stop failed (exit {ExitCode}): {Output}", exitCode, output);
        }
    }
}
