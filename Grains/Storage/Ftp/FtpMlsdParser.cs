using System.Globalization;

namespace Pcrs.Grains.Storage.Ftp;

/// <summary>
/// Parses RFC 3659 machine listings (MLSD lines, MLST fact lines): "fact=value;fact=value; name". Times are UTC.
/// The name is everything after the first space, so names with spaces, ';' or '=' survive.
/// </summary>
internal static class FtpMlsdParser
{
    public static FtpListLine ParseLine(string line)
    {
        int space = line.IndexOf(' ');
        if (space <= 0 || line[space - 1] != ';' || space == line.Length - 1)
            return line.Trim().Length == 0 ? FtpListLine.Skip : FtpListLine.Unrecognized;
        string name = line[(space + 1)..];
        var facts = ParseFacts(line.AsSpan(0, space));
        if (facts.Type is null)
            return FtpListLine.Unrecognized;
        if (facts.IsCurrentOrParent || facts.Kind is null || name is "." or "..")
            return FtpListLine.Skip; // ".", "..", devices, sockets and other special entries are not data
        var kind = facts.Kind.Value;
        return FtpListLine.Of(new StorageEntry(name, kind, kind == StorageEntryKind.Directory ? null : facts.Size, facts.Modified, Source: StorageFactsSource.FtpMlsd));
    }

    /// <summary>The facts of an MLSD/MLST line (the part before the name).</summary>
    internal readonly record struct Facts(string? Type, StorageEntryKind? Kind, bool IsCurrentOrParent, long? Size, DateTimeOffset? Modified);

    internal static Facts ParseFacts(ReadOnlySpan<char> text)
    {
        string? type = null;
        StorageEntryKind? kind = null;
        bool currentOrParent = false;
        long? size = null;
        DateTimeOffset? modified = null;
        foreach (var fact in text.ToString().Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int eq = fact.IndexOf('=');
            if (eq <= 0)
                continue;
            var key = fact[..eq];
            var value = fact[(eq + 1)..];
            if (key.Equals("type", StringComparison.OrdinalIgnoreCase))
            {
                type = value;
                var lower = value.ToLowerInvariant();
                currentOrParent = lower is "cdir" or "pdir";
                kind = lower switch
                {
                    "file" => StorageEntryKind.File,
                    "dir" or "cdir" or "pdir" => StorageEntryKind.Directory,
                    // proftpd: "OS.unix=slink:/target" or "OS.unix=symlink"; others: "link".
                    _ when lower.Contains("link", StringComparison.Ordinal) => StorageEntryKind.Link,
                    _ => null,
                };
            }
            else if (key.Equals("size", StringComparison.OrdinalIgnoreCase))
            {
                if (long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long s))
                    size = s;
            }
            else if (key.Equals("modify", StringComparison.OrdinalIgnoreCase))
            {
                modified = ParseTimeVal(value);
            }
        }
        return new Facts(type, kind, currentOrParent, size, modified);
    }

    /// <summary>RFC 3659 time-val: YYYYMMDDHHMMSS with optional ".sss" fraction, in UTC (also what MDTM answers).</summary>
    public static DateTimeOffset? ParseTimeVal(string value)
    {
        value = value.Trim();
        if (value.Length < 14)
            return null;
        if (!DateTime.TryParseExact(value[..14], "yyyyMMddHHmmss", CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var time))
            return null;
        if (value.Length > 15 && value[14] == '.' &&
            int.TryParse(value[15..Math.Min(value.Length, 18)].PadRight(3, '0'), NumberStyles.None, CultureInfo.InvariantCulture, out int ms))
            time = time.AddMilliseconds(ms);
        return new DateTimeOffset(DateTime.SpecifyKind(time, DateTimeKind.Utc));
    }
}
