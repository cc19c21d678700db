using System.Diagnostics;

namespace Pcrs.Cluster.Tests.Infrastructure;

/// <summary>Runs the built Silo with a verb, as an operator does: a process, its exit code, stdout and stderr.</summary>
public static class SiloVerb
{
    public static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        // The Silo's own build output (tests/Cluster.Tests/bin/<cfg>/net10.0 → Silo/bin/<cfg>/net10.0).
        var testBin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/'));
        string configuration = testBin.Parent!.Name;
        string repository = testBin.Parent.Parent!.Parent!.Parent!.Parent!.FullName;
        string silo = Path.Combine(repository, "Silo", "bin", configuration, "net10.0", "Pcrs.Silo.dll");
        Assert.True(File.Exists(silo), $"{silo} is not built");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(silo);
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }
}
