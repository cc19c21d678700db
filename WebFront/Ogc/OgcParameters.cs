using System.Globalization;
using Pcrs.Grains.Catalogue;

namespace Pcrs.WebFront.Ogc;

/// <summary>
/// The query parameters of OGC API – Features Part 1 items (and STAC item search): bbox (4 or 6 numbers, CRS84),
/// datetime (an instant or an interval with ".." or empty for an open end, RFC 3339), limit (1…10,000), and the
/// paging cursor this server hands out in its "next" links. Every error names its parameter.
/// </summary>
public sealed record OgcParameters(GeoBox? Bbox, DateTimeOffset? From, DateTimeOffset? To, int Limit, string? Cursor)
{
    public const int DefaultLimit = 10;
    public const int MaxLimit = 10_000;

    public static OgcParameters? Parse(IQueryCollection query, IDictionary<string, string[]> errors, int defaultLimit = DefaultLimit)
    {
        var bbox = ParseBbox(query["bbox"].ToString(), errors);
        var (from, to) = ParseDatetime(query["datetime"].ToString(), errors);
        int limit = defaultLimit;
        var limitText = query["limit"].ToString();
        if (limitText.Length > 0)
        {
            if (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1)
                errors["limit"] = ["A whole number from 1 to 10000."];
            // Larger limits are served as the maximum, as the standard allows.
            limit = Math.Min(limit, MaxLimit);
        }
        var cursor = query["cursor"].ToString();
        return errors.Count > 0 ? null : new OgcParameters(bbox, from, to, limit, cursor.Length == 0 ? null : cursor);
    }

    public static GeoBox? ParseBbox(string text, IDictionary<string, string[]> errors)
    {
        if (text.Length == 0)
            return null;
        var parts = text.Split(',');
        var values = new double[parts.Length];
        if (parts.Length is not (4 or 6) || !parts.Select((p, i) => double.TryParse(p.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out values[i])).All(ok => ok)
            || values.Any(v => !double.IsFinite(v)))
        {
            errors["bbox"] = ["Four numbers (or six with heights): minimum longitude, minimum latitude, maximum longitude, maximum latitude (CRS84)."];
            return null;
        }
        // With heights: minLon, minLat, minH, maxLon, maxLat, maxH; the heights are ignored (tiles are 2D).
        var box = parts.Length == 4
            ? new GeoBox(values[0], values[1], values[2], values[3])
            : new GeoBox(values[0], values[1], values[3], values[4]);
        if (box.South > box.North || box.South < -90 || box.North > 90 || box.West < -180 || box.East > 180)
        {
            errors["bbox"] = ["Latitudes from -90 to 90 with the minimum first; longitudes from -180 to 180."];
            return null;
        }
        // A box crossing the antimeridian (minLon > maxLon) is not served: no PCRS tile lies there.
        if (box.West > box.East)
        {
            errors["bbox"] = ["Boxes crossing the antimeridian are not supported."];
            return null;
        }
        return box;
    }

    public static (DateTimeOffset? From, DateTimeOffset? To) ParseDatetime(string text, IDictionary<string, string[]> errors)
    {
        if (text.Length == 0)
            return (null, null);
        var ends = text.Split('/');
        if (ends.Length > 2)
        {
            errors["datetime"] = ["An RFC 3339 instant or an interval start/end, where an open end is \"..\" or empty."];
            return (null, null);
        }
        DateTimeOffset? Parse(string end, bool isEnd)
        {
            if (end is "" or "..")
                return null;
            if (DateOnly.TryParseExact(end, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
                return new DateTimeOffset(day.ToDateTime(isEnd ? TimeOnly.MaxValue : TimeOnly.MinValue), TimeSpan.Zero);
            if (DateTimeOffset.TryParse(end, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant))
                return instant;
            errors["datetime"] = ["An RFC 3339 instant or an interval start/end, where an open end is \"..\" or empty."];
            return null;
        }
        if (ends.Length == 1)
        {
            if (ends[0] is "" or "..")
            {
                errors["datetime"] = ["An instant cannot be open."];
                return (null, null);
            }
            // A date alone is the whole day; an instant is itself.
            return (Parse(ends[0], false), Parse(ends[0], true));
        }
        var (from, to) = (Parse(ends[0], false), Parse(ends[1], true));
        if (from > to)
            errors["datetime"] = ["The interval's start is after its end."];
        return (from, to);
    }
}
