using Serilog;

namespace Pcrs.Silo.Verbs;

/// <summary>Reads the verb from the command line; everything after it is host configuration.</summary>
internal static class VerbLine
{
    public static (string Verb, string[] Remaining) Split(string[] args) =>
        args.Length > 0 && !args[0].StartsWith('-') && !args[0].Contains('=')
            ? (args[0].ToLowerInvariant(), args[1..])
            : ("run", args);

    public static int Usage(string verb)
    {
        Log.Error("Unknown verb {Verb}. Usage: Pcrs.Silo [run|migrate|scan|import|keys] [--Section:Key=value ...]", verb);
        return 64;
    }
}
