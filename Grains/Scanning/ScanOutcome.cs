using System.Globalization;

namespace Pcrs.Grains.Scanning;

/// <summary>How a completed scan that met a failing server is told.</summary>
public static class ScanOutcome
{
    /// <summary>
    /// The error of a "partial" scan: how many files and folders could not be read because the server failed (they are
    /// read again at the next scan); null when everything could be read.
    /// </summary>
    public static string? PartialError(long unreadableFiles, long unreadableListings, string? firstError)
    {
        if (unreadableFiles <= 0 && unreadableListings <= 0)
            return null;
        var parts = new List<string>();
        if (unreadableFiles > 0)
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{unreadableFiles} file{(unreadableFiles == 1 ? "" : "s")}"));
        if (unreadableListings > 0)
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{unreadableListings} folder{(unreadableListings == 1 ? "" : "s")}"));
        string first = unreadableListings > 0 && firstError is not null ? $" First: {firstError}" : "";
        return $"The server failed during the scan: {string.Join(" and ", parts)} could not be read (refused, timeout or server error); they are read again at the next scan.{first}";
    }
}
