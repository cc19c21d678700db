namespace Pcrs.Grains.Formats;

/// <summary>Which sidecar files of a listing belong to a data file, by GDAL's naming rules.</summary>
public static class SidecarNames
{
    /// <summary>GDAL PAM file: the data file's full name + ".aux.xml".</summary>
    public static IRangeReader? FindAuxXml(string dataFileName, IReadOnlyList<IRangeReader> sidecars)
    {
        string wanted = dataFileName + ".aux.xml";
        return sidecars.FirstOrDefault(s => string.Equals(s.Name, wanted, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>
    /// World file, in GDAL's search order: first+last letter of the extension + "w" (.tfw, .j2w, .jgw), the extension
    /// + "w" (.tifw, .jp2w), then ".wld".
    /// </summary>
    public static IRangeReader? FindWorldFile(string dataFileName, IReadOnlyList<IRangeReader> sidecars)
    {
        string ext = Path.GetExtension(dataFileName);
        string stem = Path.GetFileNameWithoutExtension(dataFileName);
        if (ext.Length < 2)
        {
            return null;
        }

        string bare = ext[1..];
        string[] candidates = [$"{stem}.{bare[0]}{bare[^1]}w", $"{stem}.{bare}w", $"{stem}.wld"];
        foreach (string candidate in candidates)
        {
            IRangeReader? match = sidecars.FirstOrDefault(s => string.Equals(s.Name, candidate, StringComparison.OrdinalIgnoreCase));
            if (match is not null)
            {
                return match;
            }
        }

        return null;
    }
}
