using Pcrs.Grains.Formats.WorldFile;

namespace Pcrs.Grains.Scanning;

/// <summary>
/// Which listed names are data files (read by the format readers) and which are sidecars of which data file.
/// Decided from names only: the listing is all the scanner has before reading a byte.
/// </summary>
public static class DataFiles
{
    private static readonly string[] DataExtensions = [".jp2", ".j2k", ".j2c", ".jpx", ".tif", ".tiff", ".gml", ".gpkg", ".dxf"];

    /// <summary>World files, .prj and GDAL's .aux.xml: GDAL's sidecars for georeferencing.</summary>
    private static readonly string[] SidecarExtensions = [".j2w", ".jgw", ".tfw", ".tifw", ".tiffw", ".wld", ".prj"];

    /// <summary>Every name ending a sidecar can have: the sidecar extensions, ".aux.xml" and GDAL's world file names.</summary>
    private static readonly string[] SidecarEndings =
    [
        .. SidecarExtensions, ".aux.xml",
        .. DataExtensions.SelectMany(ext => WorldFileParser.CandidateNames("x" + ext)).Select(name => name[1..]),
    ];

    /// <summary>True when <paramref name="name"/> could be the sidecar of some data file (what a streamed listing keeps).</summary>
    public static bool MayBeSidecar(string name) =>
        SidecarEndings.Any(ending => name.EndsWith(ending, StringComparison.OrdinalIgnoreCase));

    public static bool IsDataFile(string name) =>
        DataExtensions.Any(ext => name.EndsWith(ext, StringComparison.OrdinalIgnoreCase));

    public static bool IsSidecar(string name) =>
        name.EndsWith(".aux.xml", StringComparison.OrdinalIgnoreCase) ||
        SidecarExtensions.Any(ext => name.EndsWith(ext, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// The sidecars of <paramref name="dataFileName"/> among the names of its directory: "stem.ext" for every sidecar
    /// extension, the world file names GDAL derives from the data file's own extension (x.jkw and x.j2kw for a raw
    /// x.j2k codestream, x.jcw for x.j2c), "name.aux.xml" and "stem.aux.xml". Case-insensitive, as on the Windows
    /// servers many storages run on.
    /// </summary>
    public static IEnumerable<string> SidecarCandidates(string dataFileName)
    {
        int dot = dataFileName.LastIndexOf('.');
        string stem = dot > 0 ? dataFileName[..dot] : dataFileName;
        foreach (var ext in SidecarExtensions)
            yield return stem + ext;
        foreach (var worldFile in WorldFileParser.CandidateNames(dataFileName))
            yield return worldFile;
        yield return dataFileName + ".aux.xml";
        yield return stem + ".aux.xml";
    }
}
