using System.Diagnostics;
using Pcrs.TestSupport;

namespace Pcrs.WebFront.Tests.Trust;

/// <summary>A whole-database dump with pg_dump (what a backup or a stolen copy holds).</summary>
public static class PgDump
{
    public static async Task<string> RunAsync(string database)
    {
        var start = new ProcessStartInfo("pg_dump", ["-h", Peers.Host, "-p", Peers.PostgreSql.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", "postgres", database])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, await error);
        return await output;
    }
}
