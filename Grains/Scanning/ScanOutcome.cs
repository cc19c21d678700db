using System.Globalization;

namespace Pcrs.Grains.Scanning;

/// <summary>How a completed scan that met a failing server is told.</summary>
public static class ScanOutcome
{
    /// <summary>
    /// The error of a "partial" scan: how many files and folders could not be read because the server failed (they are
    /// read again at the next scan), and how many folders a crawl bound or a loop ended (named in their listing errors);
    /// null when everything could be read.
    /// </summary>
    public static string? PartialError(long unreadableFiles, long unreadableListings, string? firstError, long boundedListings = 0)
    {
        if (unreadableFiles <= 0 && unreadableListings <= 0 && boundedListings <= 0)
            return null;
        var sentences = new List<string>();
        if (unreadableFiles > 0 || unreadableListings > 0)
        {
            var parts = new List<string>();
            if (unreadableFiles > 0)
                parts.Add(string.Create(CultureInfo.InvariantCulture, $"{unreadableFiles} file{(unreadableFiles == 1 ? "" : "s")}"));
            if (unreadableListings > 0)
                parts.Add(string.Create(CultureInfo.InvariantCulture, $"{unreadableListings} folder{(unreadableListings == 1 ? "" : "s")}"));
            sentences.Add($"The server failed during the scan: {string.Join(" and ", parts)} could not be read (refused, timeout or server error); they are read again at the next scan.");
        }
        if (boundedListings > 0)
            sentences.Add(string.Create(CultureInfo.InvariantCulture,
                $"{boundedListings} folder{(boundedListings == 1 ? " was" : "s were")} not crawled: a crawl bound or a loop ended {(boundedListings == 1 ? "it" : "them")} (each folder's listing error names which)."));
        string first = (unreadableListings > 0 || boundedListings > 0) && firstError is not null ? $" First: {firstError}" : "";
        return string.Join(" ", sentences) + first;
    }
}
