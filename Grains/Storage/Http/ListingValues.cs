using System.Globalization;
using System.Text.RegularExpressions;

namespace Pcrs.Grains.Storage.Http;

/// <summary>
/// Reads the dates and sizes that autoindex pages print next to names. Servers print times without a zone; they are
/// taken as UTC (nginx prints UTC by default; Apache, lighttpd and IIS print the server's zone, usually UTC on servers).
/// These are listing facts, compared with the next listing to tell an unchanged file: the file's exact size and time
/// come from the protocol when it is read.
/// </summary>
internal static partial class ListingValues
{
    private static readonly (Regex Pattern, string[] Formats)[] DatePatterns =
    [
        // nginx and old Apache: 29-Nov-2026 12:10
        (NginxDate(), ["d-MMM-yyyy H:mm", "d-MMM-yyyy H:mm:ss"]),
        // Apache 2.4: 2026-11-29 12:10
        (IsoDate(), ["yyyy-MM-dd H:mm", "yyyy-MM-dd H:mm:ss"]),
        // lighttpd: 2026-Nov-29 12:10:51
        (LighttpdDate(), ["yyyy-MMM-d H:mm:ss", "yyyy-MMM-d H:mm"]),
        // IIS 6: Sunday, June 20, 2010  6:46 PM
        (IisLongDate(), ["dddd, MMMM d, yyyy h:mm tt", "dddd, MMMM d, yyyy h:mm:ss tt", "MMMM d, yyyy h:mm tt"]),
        // IIS 7+: 11/29/2026 10:53 AM (en-US short date), or 24-hour clocks on other locales
        (IisShortDate(), ["M/d/yyyy h:mm tt", "M/d/yyyy h:mm:ss tt", "M/d/yyyy H:mm", "M/d/yyyy H:mm:ss"]),
        // WEBrick: 2026/12/07 00:31
        (SlashedIsoDate(), ["yyyy/MM/dd H:mm", "yyyy/MM/dd H:mm:ss"]),
        // mini_httpd and thttpd: 07Dec2026 00:31
        (CompactDate(), ["ddMMMyyyy H:mm", "ddMMMyyyy H:mm:ss"]),
    ];

    /// <summary>Finds a date in <paramref name="text"/>; returns the text with the date removed so the size can be read from the rest.</summary>
    public static DateTimeOffset? FindDate(string text, out string rest)
    {
        foreach (var (pattern, formats) in DatePatterns)
        {
            var match = pattern.Match(text);
            if (!match.Success)
                continue;
            string value = CollapseSpaces(match.Value.Trim());
            if (DateTime.TryParseExact(value, formats, CultureInfo.InvariantCulture,
                    DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var parsed))
            {
                rest = text.Remove(match.Index, match.Length);
                return new DateTimeOffset(parsed, TimeSpan.Zero);
            }
        }
        // ls-like lines (webfs): "Dec 07 00:31" this year, or "Dec 07  2025" for older files.
        var ls = LsDate().Match(text);
        if (ls.Success && TryLsDate(ls, out var lsDate))
        {
            rest = text.Remove(ls.Index, ls.Length);
            return lsDate;
        }
        rest = text;
        return null;
    }

    /// <summary>A machine-readable date (the datetime of a cell's &lt;time&gt;, as Caddy writes), when there is one.</summary>
    public static DateTimeOffset? MachineDate(string? datetime)
    {
        string? value = datetime?.Trim();
        return value is not null && DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed) ? parsed : null;
    }

    /// <summary>ls prints the time instead of the year for files of the last six months: the most recent such date not in the future.</summary>
    private static bool TryLsDate(Match match, out DateTimeOffset date)
    {
        date = default;
        string month = match.Groups["month"].Value, day = match.Groups["day"].Value, tail = match.Groups["tail"].Value;
        if (tail.Contains(':'))
        {
            var now = DateTimeOffset.UtcNow;
            for (int year = now.Year; year >= now.Year - 1; year--)
            {
                if (DateTime.TryParseExact($"{month} {day} {year} {tail}", ["MMM d yyyy H:mm", "MMM d yyyy H:mm:ss"], CultureInfo.InvariantCulture,
                        DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var parsed) && parsed <= now.UtcDateTime.AddDays(1))
                {
                    date = new DateTimeOffset(parsed, TimeSpan.Zero);
                    return true;
                }
            }
            return false;
        }
        if (!DateTime.TryParseExact($"{month} {day} {tail}", "MMM d yyyy", CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var dated))
            return false;
        date = new DateTimeOffset(dated, TimeSpan.Zero);
        return true;
    }

    /// <summary>Runs of whitespace as one space (IIS pads its dates); most dates have none to collapse and are returned as they are.</summary>
    private static string CollapseSpaces(string text)
    {
        bool plain = true;
        for (int i = 0; i < text.Length && plain; i++)
            plain = !char.IsWhiteSpace(text[i]) || (text[i] == ' ' && (i == 0 || !char.IsWhiteSpace(text[i - 1])));
        if (plain)
            return text;
        var collapsed = new System.Text.StringBuilder(text.Length);
        foreach (char c in text)
        {
            if (!char.IsWhiteSpace(c))
                collapsed.Append(c);
            else if (collapsed.Length == 0 || collapsed[^1] != ' ')
                collapsed.Append(' ');
        }
        return collapsed.ToString();
    }

    /// <summary>
    /// Parses one size token: "2171169" (exact bytes), "1.8M", "587.9K", "229K", "12 KB" (rounded, 1024-based as Apache,
    /// nginx and lighttpd print them). "-" and anything else give false.
    /// </summary>
    public static bool TryParseSize(string text, out long size, out bool exact)
    {
        size = 0;
        exact = true;
        var match = SizePattern().Match(text.Trim());
        if (!match.Success)
            return false;
        string unit = match.Groups["unit"].Value.ToUpperInvariant();
        if (unit.Length == 0)
        {
            if (match.Groups["number"].Value.Contains('.') || match.Groups["number"].Value.Contains(','))
                return false;
            return long.TryParse(match.Groups["number"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out size);
        }
        if (!double.TryParse(match.Groups["number"].Value.Replace(',', '.'), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double number))
            return false;
        int power = "BKMGTP".IndexOf(unit[0], StringComparison.Ordinal);
        double bytes = number * Math.Pow(1024, power);
        if (bytes > long.MaxValue / 2)
            return false;
        size = (long)Math.Round(bytes);
        exact = power == 0;
        return true;
    }

    /// <summary>
    /// Finds the first (or, with <paramref name="last"/>, the last) whitespace-separated token of <paramref name="text"/>
    /// that is a size.
    /// </summary>
    public static bool FindSize(string text, out long size, out bool exact, bool last = false)
    {
        // "12 KB" splits in two tokens: try each token with its successor first.
        var tokens = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        for (int step = 0; step < tokens.Length; step++)
        {
            int i = last ? tokens.Length - 1 - step : step;
            if (last && i > 0 && tokens[i].Length <= 3 && char.IsAsciiLetter(tokens[i][0])
                && TryParseSize(tokens[i - 1] + tokens[i], out size, out exact))
                return true;
            if (!last && i + 1 < tokens.Length && tokens[i + 1].Length <= 3 && char.IsAsciiLetter(tokens[i + 1][0])
                && TryParseSize(tokens[i] + tokens[i + 1], out size, out exact))
                return true;
            if (TryParseSize(tokens[i], out size, out exact))
                return true;
        }
        size = 0;
        exact = true;
        return false;
    }

    [GeneratedRegex(@"\b\d{1,2}-[A-Za-z]{3}-\d{4}\s+\d{1,2}:\d{2}(?::\d{2})?", RegexOptions.NonBacktracking)]
    private static partial Regex NginxDate();

    [GeneratedRegex(@"\b\d{4}-\d{2}-\d{2}\s+\d{1,2}:\d{2}(?::\d{2})?", RegexOptions.NonBacktracking)]
    private static partial Regex IsoDate();

    [GeneratedRegex(@"\b\d{4}-[A-Za-z]{3}-\d{1,2}\s+\d{1,2}:\d{2}(?::\d{2})?", RegexOptions.NonBacktracking)]
    private static partial Regex LighttpdDate();

    [GeneratedRegex(@"(?:\b[A-Za-z]+,\s+)?\b[A-Za-z]+\s+\d{1,2},\s+\d{4}\s+\d{1,2}:\d{2}(?::\d{2})?\s*[AaPp][Mm]\b", RegexOptions.NonBacktracking)]
    private static partial Regex IisLongDate();

    [GeneratedRegex(@"\b\d{1,2}/\d{1,2}/\d{4}\s+\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AaPp][Mm]\b)?", RegexOptions.NonBacktracking)]
    private static partial Regex IisShortDate();

    [GeneratedRegex(@"\b\d{4}/\d{2}/\d{2}\s+\d{1,2}:\d{2}(?::\d{2})?", RegexOptions.NonBacktracking)]
    private static partial Regex SlashedIsoDate();

    [GeneratedRegex(@"\b\d{2}[A-Za-z]{3}\d{4}\s+\d{1,2}:\d{2}(?::\d{2})?", RegexOptions.NonBacktracking)]
    private static partial Regex CompactDate();

    [GeneratedRegex(@"\b(?<month>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\s+(?<day>\d{1,2})\s+(?<tail>\d{1,2}:\d{2}|\d{4})\b", RegexOptions.NonBacktracking)]
    private static partial Regex LsDate();

    [GeneratedRegex(@"^(?<number>\d+(?:[.,]\d+)?)\s*(?<unit>[BKMGTP](?:i?B)?)?$", RegexOptions.IgnoreCase | RegexOptions.NonBacktracking)]
    private static partial Regex SizePattern();
}
