using System.Globalization;

namespace Pcrs.WebFront.Downloads;

/// <summary>One satisfiable byte range of a file of known length (RFC 9110 §14).</summary>
public readonly record struct ByteRange(long Start, long End)
{
    public long Length => End - Start + 1;

    /// <summary>
    /// Parses a Range header against the file length. Null header or several ranges: null (the whole file is sent, as
    /// RFC 9110 allows). A single range that cannot be satisfied: <paramref name="unsatisfiable"/> is true.
    /// </summary>
    public static ByteRange? Parse(string? header, long totalLength, out bool unsatisfiable)
    {
        unsatisfiable = false;
        if (string.IsNullOrWhiteSpace(header) || !header.StartsWith("bytes=", StringComparison.OrdinalIgnoreCase))
            return null;
        var spec = header["bytes=".Length..].Trim();
        if (spec.Contains(','))
            return null;
        int dash = spec.IndexOf('-');
        if (dash < 0)
            return null;
        var first = spec[..dash].Trim();
        var last = spec[(dash + 1)..].Trim();
        if (first.Length == 0)
        {
            // Suffix range: the last N bytes.
            if (!long.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out long suffix))
                return null;
            if (suffix == 0 || totalLength == 0)
            {
                unsatisfiable = true;
                return null;
            }
            return new ByteRange(Math.Max(0, totalLength - suffix), totalLength - 1);
        }
        if (!long.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out long start))
            return null;
        long end = totalLength - 1;
        if (last.Length > 0)
        {
            if (!long.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out end) || end < start)
                return null;
            end = Math.Min(end, totalLength - 1);
        }
        if (start >= totalLength)
        {
            unsatisfiable = true;
            return null;
        }
        return new ByteRange(start, end);
    }

    /// <summary>
    /// Whether an If-Range header lets the Range apply (RFC 9110 §13.1.5): no header, or the exact Last-Modified date the
    /// platform sends for the file. An entity tag never matches (downloads carry none), nor does a date when the time is unknown.
    /// </summary>
    public static bool IfRangeHolds(string? ifRange, DateTimeOffset? lastModified)
    {
        if (string.IsNullOrWhiteSpace(ifRange))
            return true;
        if (lastModified is not { } modified)
            return false;
        return DateTimeOffset.TryParseExact(ifRange.Trim(), "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date)
            && date.ToUnixTimeSeconds() == modified.ToUnixTimeSeconds();
    }

    public string ContentRange(long totalLength) =>
        string.Create(CultureInfo.InvariantCulture, $"bytes {Start}-{End}/{totalLength}");
}
