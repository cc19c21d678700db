using Pcrs.Grains.Hosting.Settings;
using Pcrs.Grains.Hosting.Logging;
using Pcrs.Grains.Hosting.Postgres;
using Pcrs.Silo.Verbs;
using Serilog;

// Pcrs.Silo [verb] [configuration overrides such as --Orleans:Endpoints:SiloPort=11112]
//   run      (default) a worker silo: ADO.NET clustering and reminders on PostgreSQL
//   migrate  apply the deploy/sql migrations to the configured database, then exit
//   scan     scan one storage URL in an in-process cluster and print its tiles (see Silo/Scan/ScanVerb.cs)
//   keys     list, rotate or retire the keys of the stored passwords while the cluster runs (Silo/Verbs/KeysVerb.cs)
//   import   send a bulk import (CSV or JSON) to a running web front and print each line's outcome (Silo/Verbs/ImportVerb.cs)
Log.Logger = PcrsLogging.CreateBootstrapLogger();
try
{
    (string verb, string[] rest) = VerbLine.Split(args);
    return verb switch
    {
        "run" => await RunVerb.RunAsync(rest),
        "migrate" => await MigrateVerb.RunAsync(rest),
        "scan" => await Pcrs.Silo.Scan.ScanVerb.RunAsync(rest),
        "import" => await ImportVerb.RunAsync(rest, Console.Out, Console.Error),
        "keys" => await KeysVerb.RunAsync(rest, Console.Out),
        _ => VerbLine.Usage(verb),
    };
}
catch (PcrsSettingsException ex)
{
    // Settings that would bind to nothing: each named on its own line, no stack trace.
    Log.Fatal("{Problem}", ex.Message);
    return 2;
}
catch (EmbeddedPostgresException ex)
{
    // A set-up problem with a plain remedy: one line, no stack trace.
    Log.Fatal("{Problem}", ex.Message);
    return 2;
}
catch (Exception ex) when (ex is not OperationCanceledException)
{
    Log.Fatal(ex, "Silo terminated unexpectedly");
    return 1;
}
finally
{
    await Log.CloseAndFlushAsync();
}
