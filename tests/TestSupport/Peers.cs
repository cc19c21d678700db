namespace Pcrs.TestSupport;

/// <summary>
/// Where the real test servers started by tests/peers/start.sh listen, and the fixtures they serve.
/// Every value can be overridden by the environment variable of the same name as the start script uses.
/// </summary>
public static class Peers
{
    public static string Dir => Env("PEERS_DIR", "/tmp/pcrs-peers");
    public static string DataDir => Path.Combine(Dir, "data");
    public static string FixturesDir => Path.Combine(DataDir, "fixtures");
    public static string TreeDir => Path.Combine(DataDir, "tree");
    public static string LogsDir => Path.Combine(Dir, "logs");

    public static string User => Env("PEERS_USER", "peer");
    public static string Password => Env("PEERS_PASS", "peerpass");
    public const string Host = "127.0.0.1";

    public static int VsftpdFtp => Port("FTP_PORT", 2121);
    public static int VsftpdFtpsReuse => Port("FTPS_PORT", 2122);
    public static int VsftpdFtpsNoReuse => Port("FTPS_NOREUSE_PORT", 2125);
    public static int VsftpdImplicit => Port("FTPS_IMPLICIT_PORT", 2990);
    public static int PureFtpd => Port("PUREFTPD_PORT", 2123);
    public static int Proftpd => Port("PROFTPD_PORT", 2124);
    public static int Sftp => Port("SFTP_PORT", 2222);
    public static int Nginx => Port("NGINX_PORT", 8081);
    public static int Apache => Port("APACHE_PORT", 8082);
    public static int Lighttpd => Port("LIGHTTPD_PORT", 8083);
    public static int PostgreSql => Port("PG_PORT", 55491);

    /// <summary>Connection string of the test PostgreSQL server (superuser, trust auth on loopback).</summary>
    public static string PostgresAdminConnectionString(string database = "postgres") =>
        $"Host={Host};Port={PostgreSql};Username=postgres;Database={database};Pooling=true";

    private static string Env(string name, string fallback) =>
        Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : fallback;

    private static int Port(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), System.Globalization.CultureInfo.InvariantCulture, out int value) ? value : fallback;
}
