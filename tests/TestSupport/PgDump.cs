using System.Diagnostics;
using System.Globalization;

namespace Pcrs.TestSupport;

/// <summary>
/// A whole-database dump with pg_dump from the peers' PostgreSQL (what a backup or a stolen copy holds), and its restore
/// with psql, as deploy/README.md tells operators.
/// </summary>
public static class PgDump
{
    /// <summary>The dump of <paramref name="database"/> as SQL text; pg_dump's own message when it fails.</summary>
    public static async Task<string> RunAsync(string database)
    {
        var start = new ProcessStartInfo("pg_dump",
            ["-h", Peers.Host, "-p", Peers.PostgreSql.ToString(CultureInfo.InvariantCulture), "-U", "postgres", database])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)
            ?? throw new InvalidOperationException("pg_dump could not be started.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0
            ? await output
            : throw new InvalidOperationException($"pg_dump {database} exited with {process.ExitCode}: {await error}");
    }

    /// <summary>Runs the SQL of a dump into <paramref name="database"/> (empty), stopping at the first error.</summary>
    public static async Task RestoreAsync(string database, string dumpFile)
    {
        var start = new ProcessStartInfo("psql",
            ["-h", Peers.Host, "-p", Peers.PostgreSql.ToString(CultureInfo.InvariantCulture), "-U", "postgres", "-d", database,
             "-v", "ON_ERROR_STOP=1", "-q", "-f", dumpFile])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)
            ?? throw new InvalidOperationException("psql could not be started.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        await output;
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"psql -f {dumpFile} into {database} exited with {process.ExitCode}: {await error}");
    }

    /// <summary>`pg_dump -Fc` of <paramref name="database"/> into <paramref name="file"/> (the archive format pg_restore reads).</summary>
    public static Task DumpArchiveAsync(string database, string file) =>
        RunToolAsync("pg_dump", ["-Fc", "-f", file, database]);

    /// <summary>`pg_restore` of an archive into <paramref name="database"/> (empty), stopping at the first error.</summary>
    public static Task RestoreArchiveAsync(string database, string file) =>
        RunToolAsync("pg_restore", ["--exit-on-error", "-d", database, file]);

    private static async Task RunToolAsync(string tool, string[] arguments)
    {
        var start = new ProcessStartInfo(tool,
            ["-h", Peers.Host, "-p", Peers.PostgreSql.ToString(CultureInfo.InvariantCulture), "-U", "postgres", .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)
            ?? throw new InvalidOperationException($"{tool} could not be started.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        await output;
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{tool} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await error}");
    }
}
