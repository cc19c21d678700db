using System.Diagnostics;

namespace Pcrs.Grains.Hosting.Postgres;

/// <summary>Finds the PostgreSQL server programs and runs them, as the postgres account when we are root.</summary>
internal sealed class PostgresTools
{
    public const string InstallHint =
        "PostgreSQL server programs (initdb, pg_ctl) not found: install them with `apt-get install postgresql`, " +
        "set Database:BinDirectory, or point ConnectionStrings:Pcrs at an existing server.";

    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(90);

    private PostgresTools(string binDirectory, bool runAsServerAccount)
    {
        BinDirectory = binDirectory;
        RunAsServerAccount = runAsServerAccount;
    }

    public string BinDirectory { get; }

    /// <summary>True when we are root and therefore start the programs through runuser as the postgres account.</summary>
    public bool RunAsServerAccount { get; }

    public static PostgresTools Locate(string? configuredBinDirectory)
    {
        string? bin = FindBinDirectory(configuredBinDirectory) ?? throw new EmbeddedPostgresException(InstallHint);
        bool asServer = PosixUser.IsRoot();
        if (asServer && PosixUser.Find(PosixUser.ServerAccount) is null)
        {
            throw new EmbeddedPostgresException(
                "Running as root, PostgreSQL must run as the 'postgres' account, which does not exist: " +
                "`apt-get install postgresql` creates it.");
        }

        if (asServer && FindRunuser() is null)
        {
            throw new EmbeddedPostgresException("Running as root needs `runuser` (package util-linux) to start PostgreSQL.");
        }

        return new PostgresTools(bin, asServer);
    }

    private static string? FindBinDirectory(string? configured)
    {
        static bool HasTools(string dir) =>
            File.Exists(Path.Combine(dir, "initdb")) && File.Exists(Path.Combine(dir, "pg_ctl"));

        if (!string.IsNullOrWhiteSpace(configured))
        {
            return HasTools(configured) ? configured : null;
        }

        const string debianRoot = "/usr/lib/postgresql";
        if (Directory.Exists(debianRoot))
        {
            // Newest major version first ("16" before "15"); numeric order, not text order.
            string? newest = Directory.GetDirectories(debianRoot)
                .Select(dir => (dir, version: double.TryParse(Path.GetFileName(dir),
                    System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double v) ? v : 0))
                .OrderByDescending(x => x.version)
                .Select(x => Path.Combine(x.dir, "bin"))
                .FirstOrDefault(HasTools);
            if (newest is not null)
            {
                return newest;
            }
        }

        return (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .FirstOrDefault(HasTools);
    }

    private static string? FindRunuser() =>
        new[] { "/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser" }.FirstOrDefault(File.Exists);

    /// <summary>Runs one of the server programs to completion and returns its exit code and combined output.</summary>
    public async Task<(int ExitCode, string Output)> RunAsync(
        string program, IReadOnlyList<string> arguments, CancellationToken ct, TimeSpan? timeout = null)
    {
        string path = Path.Combine(BinDirectory, program);
        var start = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (RunAsServerAccount)
        {
            start.FileName = FindRunuser()!;
            start.ArgumentList.Add("-u");
            start.ArgumentList.Add(PosixUser.ServerAccount);
            start.ArgumentList.Add("--");
            start.ArgumentList.Add(path);
        }
        else
        {
            start.FileName = path;
        }

        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // The server's messages are read by us, in English, whatever the machine's language.
        start.Environment["LC_MESSAGES"] = "C";
        start.Environment.Remove("PGDATA");
        start.Environment.Remove("PGPORT");

        using var process = Process.Start(start) ?? throw new EmbeddedPostgresException($"Could not start {path}.");
        process.StandardInput.Close();
        Task<string> stdout = process.StandardOutput.ReadToEndAsync(ct);
        Task<string> stderr = process.StandardError.ReadToEndAsync(ct);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout ?? DefaultTimeout);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new EmbeddedPostgresException($"{program} did not finish within {(timeout ?? DefaultTimeout).TotalSeconds:0} s.");
        }

        string output = (await stdout + await stderr).Trim();
        return (process.ExitCode, output);
    }
}

/// <summary>The embedded PostgreSQL could not be prepared; the message says what to do.</summary>
public sealed class EmbeddedPostgresException(string message, Exception? inner = null) : Exception(message, inner);
