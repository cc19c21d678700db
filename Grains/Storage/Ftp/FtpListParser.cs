using System.Globalization;

namespace Pcrs.Grains.Storage.Ftp;

/// <summary>
/// Parses LIST output, line by line, in the two formats servers really send: Unix "ls -l" (vsftpd, pure-ftpd, proftpd
/// and most others, with varying columns) and DOS/IIS ("11-29-26  10:53AM  &lt;DIR&gt;  name"). The format is chosen per
/// line. LIST times carry no zone: they are taken as UTC (vsftpd's default) and are precise to the minute at best.
/// </summary>
internal static class FtpListParser
{
    private static readonly string[] Months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

    public static FtpListLine ParseLine(string line, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(line) || line.StartsWith("total ", StringComparison.OrdinalIgnoreCase))
            return FtpListLine.Skip;
        return char.IsAsciiDigit(line[0]) ? ParseWindows(line) : ParseUnix(line, now);
    }

    // ---- Unix: "-rw-r--r--    2 0        0         1894414 Nov 29 10:59 0652_6863.tif" ----
    // Columns between the permissions and the size vary (links, owner, group, or some missing), so the line is anchored on
    // "<size> <Mon> <day> <HH:MM|year>" and the name is whatever follows the single space after that.

    private static FtpListLine ParseUnix(string line, DateTimeOffset now)
    {
        StorageEntryKind kind;
        switch (line[0])
        {
            case '-': kind = StorageEntryKind.File; break;
            case 'd': kind = StorageEntryKind.Directory; break;
            case 'l': kind = StorageEntryKind.Link; break;
            case 'b' or 'c' or 'p' or 's' or 'D': return FtpListLine.Skip; // devices, pipes, sockets: never data
            default: return FtpListLine.Unrecognized;
        }

        Span<Range> tokens = stackalloc Range[16];
        int count = Tokenize(line, tokens);
        for (int i = 2; i + 2 < count; i++)
        {
            var monthToken = line.AsSpan()[tokens[i]];
            int month = MonthOf(monthToken);
            if (month == 0 || !TryParseLong(line.AsSpan()[tokens[i - 1]], out long size))
                continue;
            if (!int.TryParse(line.AsSpan()[tokens[i + 1]], NumberStyles.None, CultureInfo.InvariantCulture, out int day) || day is < 1 or > 31)
                continue;
            var timeOrYear = line.AsSpan()[tokens[i + 2]];
            DateTimeOffset? modified = ParseUnixDate(month, day, timeOrYear, now);
            if (modified is null)
                continue;
            int nameStart = tokens[i + 2].End.Value + 1;
            if (nameStart >= line.Length)
                return FtpListLine.Unrecognized;
            string name = line[nameStart..];
            if (kind == StorageEntryKind.Link)
            {
                int arrow = name.IndexOf(" -> ", StringComparison.Ordinal);
                if (arrow > 0)
                    name = name[..arrow];
            }
            if (name is "." or "..")
                return FtpListLine.Skip;
            return FtpListLine.Of(new StorageEntry(name, kind, kind == StorageEntryKind.Directory ? null : size, modified, Source: StorageFactsSource.FtpList));
        }
        return FtpListLine.Unrecognized;
    }

    private static DateTimeOffset? ParseUnixDate(int month, int day, ReadOnlySpan<char> timeOrYear, DateTimeOffset now)
    {
        int colon = timeOrYear.IndexOf(':');
        if (colon < 0)
        {
            // "Jun 15  2019": files older than six months (or in the future) show the year and no time.
            if (timeOrYear.Length != 4 || !int.TryParse(timeOrYear, NumberStyles.None, CultureInfo.InvariantCulture, out int year) || year < 1970)
                return null;
            return TryDate(year, month, day, 0, 0);
        }
        if (!int.TryParse(timeOrYear[..colon], NumberStyles.None, CultureInfo.InvariantCulture, out int hour) ||
            !int.TryParse(timeOrYear[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int minute) ||
            hour > 23 || minute > 59)
            return null;
        // "Nov 29 10:59": no year. ls shows this form for the last six months, so the date is the latest one not in the
        // future (two days of slack for clock and zone differences); across New Year that is last year.
        var latest = now.AddDays(2);
        for (int year = latest.Year; year >= latest.Year - 4; year--)
        {
            var candidate = TryDate(year, month, day, hour, minute);
            if (candidate is not null && candidate <= latest)
                return candidate;
        }
        return null;
    }

    // ---- DOS / IIS: "11-29-26  10:53AM       <DIR>          name" or "11-29-2026  22:53   1234 name" ----

    private static FtpListLine ParseWindows(string line)
    {
        Span<Range> tokens = stackalloc Range[6];
        int count = Tokenize(line, tokens);
        if (count < 4)
            return FtpListLine.Unrecognized;
        var date = ParseWindowsDate(line.AsSpan()[tokens[0]]);
        if (date is null)
            return FtpListLine.Unrecognized;
        int next = 1;
        var timeToken = line.AsSpan()[tokens[next++]];
        string? meridiem = null;
        if (timeToken.EndsWith("AM", StringComparison.OrdinalIgnoreCase) || timeToken.EndsWith("PM", StringComparison.OrdinalIgnoreCase))
        {
            meridiem = timeToken[^2..].ToString();
            timeToken = timeToken[..^2];
        }
        else if (line.AsSpan()[tokens[next]] is var m && (m.Equals("AM", StringComparison.OrdinalIgnoreCase) || m.Equals("PM", StringComparison.OrdinalIgnoreCase)))
        {
            meridiem = m.ToString();
            next++;
        }
        int colon = timeToken.IndexOf(':');
        if (colon < 0 ||
            !int.TryParse(timeToken[..colon], NumberStyles.None, CultureInfo.InvariantCulture, out int hour) ||
            !int.TryParse(timeToken[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out int minute) ||
            minute > 59 || hour > 23 || (meridiem is not null && hour is < 1 or > 12))
            return FtpListLine.Unrecognized;
        if (meridiem is not null)
            hour = (hour % 12) + (meridiem.Equals("PM", StringComparison.OrdinalIgnoreCase) ? 12 : 0);
        if (next >= count)
            return FtpListLine.Unrecognized;

        var sizeOrDir = line.AsSpan()[tokens[next]];
        StorageEntryKind kind;
        long? size = null;
        if (sizeOrDir.Equals("<DIR>", StringComparison.OrdinalIgnoreCase))
            kind = StorageEntryKind.Directory;
        else if (sizeOrDir.Equals("<JUNCTION>", StringComparison.OrdinalIgnoreCase) || sizeOrDir.Equals("<SYMLINK>", StringComparison.OrdinalIgnoreCase) ||
                 sizeOrDir.Equals("<SYMLINKD>", StringComparison.OrdinalIgnoreCase))
            kind = StorageEntryKind.Link;
        else if (TryParseLong(sizeOrDir.ToString().Replace(",", "", StringComparison.Ordinal).Replace(".", "", StringComparison.Ordinal), out long s))
            (kind, size) = (StorageEntryKind.File, s);
        else
            return FtpListLine.Unrecognized;

        int nameStart = tokens[next].End.Value;
        while (nameStart < line.Length && line[nameStart] == ' ')
            nameStart++;
        if (nameStart >= line.Length)
            return FtpListLine.Unrecognized;
        string name = line[nameStart..];
        if (kind == StorageEntryKind.Link)
        {
            // "<JUNCTION>     name [target]"
            int bracket = name.LastIndexOf(" [", StringComparison.Ordinal);
            if (bracket > 0 && name.EndsWith(']'))
                name = name[..bracket];
        }
        if (name is "." or "..")
            return FtpListLine.Skip;
        var (y, mo, d) = date.Value;
        var modified = TryDate(y, mo, d, hour, minute);
        return modified is null ? FtpListLine.Unrecognized : FtpListLine.Of(new StorageEntry(name, kind, size, modified, Source: StorageFactsSource.FtpList));
    }

    private static (int Year, int Month, int Day)? ParseWindowsDate(ReadOnlySpan<char> token)
    {
        Span<Range> parts = stackalloc Range[4];
        int n = token.Split(parts, '-');
        if (n != 3)
            return null;
        if (!int.TryParse(token[parts[0]], NumberStyles.None, CultureInfo.InvariantCulture, out int a) ||
            !int.TryParse(token[parts[1]], NumberStyles.None, CultureInfo.InvariantCulture, out int b) ||
            !int.TryParse(token[parts[2]], NumberStyles.None, CultureInfo.InvariantCulture, out int c))
            return null;
        if (token[parts[0]].Length == 4)
            return (a, b, c); // yyyy-MM-dd
        int year = token[parts[2]].Length == 4 ? c : c < 70 ? 2000 + c : 1900 + c; // MM-dd-yy: IIS's default
        return (year, a, b);
    }

    /// <summary>Fills <paramref name="tokens"/> with the ranges of the first space-separated tokens; returns how many.</summary>
    private static int Tokenize(string line, Span<Range> tokens)
    {
        int count = 0;
        int i = 0;
        while (count < tokens.Length)
        {
            while (i < line.Length && line[i] is ' ' or '\t')
                i++;
            if (i >= line.Length)
                break;
            int start = i;
            while (i < line.Length && line[i] is not (' ' or '\t'))
                i++;
            tokens[count++] = new Range(start, i);
        }
        return count;
    }

    private static int MonthOf(ReadOnlySpan<char> token)
    {
        if (token.Length != 3)
            return 0;
        for (int m = 0; m < Months.Length; m++)
        {
            if (token.Equals(Months[m], StringComparison.OrdinalIgnoreCase))
                return m + 1;
        }
        return 0;
    }

    private static bool TryParseLong(ReadOnlySpan<char> token, out long value) =>
        long.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out value);

    private static DateTimeOffset? TryDate(int year, int month, int day, int hour, int minute)
    {
        if (year is < 1 or > 9999 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month))
            return null;
        return new DateTimeOffset(year, month, day, hour, minute, 0, TimeSpan.Zero);
    }
}
