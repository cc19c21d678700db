using System.Text;
using Pcrs.Grains.Formats.Crs;

namespace Pcrs.Grains.Formats.WorldFile;

/// <summary>Georeferencing once sidecars are taken into account, with where each part came from.</summary>
public sealed record ResolvedGeoreference
{
    public IReadOnlyList<double>? GeoTransform { get; init; }
    public int? Epsg { get; init; }

    /// <summary>"AuxXml", the internal source given by the caller ("GeoTIFF", "GeoJP2", "GMLJP2"…), "WorldFile", or null.</summary>
    public string? GeoTransformSource { get; init; }

    /// <summary>"AuxXml", the internal source, "Prj", or null.</summary>
    public string? CrsSource { get; init; }

    /// <summary>Band descriptions from the .aux.xml (band number, 1-based → text such as "NIR").</summary>
    public IReadOnlyDictionary<int, string> BandDescriptions { get; init; } = new Dictionary<int, string>();

    /// <summary>Names of the sidecar files actually read.</summary>
    public IReadOnlyList<string> FilesRead { get; init; } = [];

    /// <summary>Bytes fetched from the sidecars.</summary>
    public long BytesRead { get; init; }

    public IReadOnlyList<string> Warnings { get; init; } = [];
}

/// <summary>
/// Applies the sidecars of a data file with GDAL's precedence (GDAL_GEOREF_SOURCES default for GeoTIFF and JP2):
/// the PAM .aux.xml first, then what the file itself says, then the world file. The .prj is not a GDAL source for these
/// formats; it only names the CRS when nothing else does (a world file + .prj pair from ESRI tools).
/// Sidecars are chosen by name from those the directory listing showed, and a sidecar is only fetched when it can still
/// change the answer. Never throws for bad sidecar bytes: they become warnings.
/// </summary>
public static class SidecarResolver
{
    private const int MaxPrjBytes = 64 * 1024;

    /// <summary>First read of a sidecar whose length is not known yet (most .aux.xml, world files and .prj are smaller).</summary>
    private const int FirstReadBytes = 16 * 1024;

    public static async Task<ResolvedGeoreference> ResolveAsync(
        string dataFileName,
        IReadOnlyList<double>? internalGeoTransform,
        int? internalEpsg,
        string? internalSource,
        IReadOnlyList<IRangeReader> sidecars,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dataFileName);
        ArgumentNullException.ThrowIfNull(sidecars);
        var warnings = new List<string>();
        var filesRead = new List<string>();
        long bytesRead = 0;

        IReadOnlyList<double>? geoTransform = null;
        int? epsg = null;
        string? gtSource = null, crsSource = null;
        IReadOnlyDictionary<int, string> descriptions = new Dictionary<int, string>();

        async Task<string?> ReadTextAsync(IRangeReader sidecar, int cap)
        {
            (string? text, long count) = await ReadSmallTextAsync(sidecar, cap, cancellationToken).ConfigureAwait(false);
            bytesRead += count;
            if (text is null)
            {
                warnings.Add($"The sidecar {sidecar.Name} was skipped: larger than {cap} bytes or unreadable.");
            }
            else
            {
                filesRead.Add(sidecar.Name);
            }

            return text;
        }

        // 1. PAM: GDAL writes the SRS and geotransform there when the format could not hold them, and band descriptions.
        if (Find(sidecars, dataFileName + ".aux.xml") is { } aux && await ReadTextAsync(aux, AuxXmlParser.MaxBytes).ConfigureAwait(false) is { } auxText)
        {
            if (AuxXmlParser.Parse(auxText) is { } pam)
            {
                if (pam.GeoTransform is not null)
                {
                    geoTransform = pam.GeoTransform;
                    gtSource = "AuxXml";
                }

                if (pam.Epsg is not null)
                {
                    epsg = pam.Epsg;
                    crsSource = "AuxXml";
                }
                else if (pam.SrsWkt is not null)
                {
                    warnings.Add($"The CRS in {aux.Name} has no EPSG code the scanner knows.");
                }

                descriptions = pam.BandDescriptions;
            }
            else
            {
                warnings.Add($"The sidecar {aux.Name} is not a GDAL PAM document and was ignored.");
            }
        }

        // 2. The file's own georeferencing.
        if (geoTransform is null && internalGeoTransform is not null)
        {
            geoTransform = internalGeoTransform;
            gtSource = internalSource;
        }

        if (epsg is null && internalEpsg is not null)
        {
            epsg = internalEpsg;
            crsSource = internalSource;
        }

        // 3. World file, in GDAL's name order, only when no geotransform is known yet.
        if (geoTransform is null)
        {
            foreach (string name in WorldFileParser.CandidateNames(dataFileName))
            {
                if (Find(sidecars, name) is not { } world)
                {
                    continue;
                }

                if (await ReadTextAsync(world, WorldFileParser.MaxBytes).ConfigureAwait(false) is { } worldText)
                {
                    if (WorldFileParser.Parse(worldText) is { } fromWorld)
                    {
                        geoTransform = fromWorld;
                        gtSource = "WorldFile";
                        break;
                    }

                    warnings.Add($"The world file {world.Name} does not hold six numbers and was ignored.");
                }
            }
        }

        // 4. .prj names the CRS of a world-file georeferencing when nothing else did.
        if (epsg is null && geoTransform is not null
            && Find(sidecars, Path.ChangeExtension(dataFileName, ".prj")) is { } prj
            && await ReadTextAsync(prj, MaxPrjBytes).ConfigureAwait(false) is { } prjText)
        {
            epsg = WktCrsMatcher.ToEpsg(prjText);
            if (epsg is null)
            {
                warnings.Add($"The CRS in {prj.Name} has no EPSG code the scanner knows.");
            }
            else
            {
                crsSource = "Prj";
            }
        }

        return new ResolvedGeoreference
        {
            GeoTransform = geoTransform,
            Epsg = epsg,
            GeoTransformSource = gtSource,
            CrsSource = crsSource,
            BandDescriptions = descriptions,
            FilesRead = filesRead,
            BytesRead = bytesRead,
            Warnings = warnings,
        };
    }

    /// <summary>The sidecar of that name, ignoring case (GDAL finds X.TFW for x.tif on case-sensitive file systems too).</summary>
    private static IRangeReader? Find(IReadOnlyList<IRangeReader> sidecars, string name)
    {
        IRangeReader? insensitive = null;
        foreach (IRangeReader sidecar in sidecars)
        {
            if (sidecar.Name == name)
            {
                return sidecar;
            }

            if (insensitive is null && sidecar.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                insensitive = sidecar;
            }
        }

        return insensitive;
    }

    /// <summary>
    /// Reads a whole small text file; null when it is larger than <paramref name="cap"/> or the read fails. Without a known
    /// length (a listing that rounds or omits sizes) the first read takes <see cref="FirstReadBytes"/>, and its answer
    /// tells the exact length for the rest: a small sidecar costs one request and no cap-sized buffer.
    /// </summary>
    private static async Task<(string? Text, long BytesRead)> ReadSmallTextAsync(IRangeReader file, int cap, CancellationToken cancellationToken)
    {
        if (file.Length is long known && known > cap)
        {
            return (null, 0);
        }

        int size = file.Length is long length ? (int)length : Math.Min(cap + 1, FirstReadBytes);
        byte[] buffer = new byte[size];
        int total = 0;
        try
        {
            while (true)
            {
                if (total == buffer.Length)
                {
                    // Full: grow to the length the protocol told, or to the cap when it told none.
                    long wanted = Math.Min(cap + 1L, file.Length ?? cap + 1L);
                    if (wanted <= buffer.Length)
                    {
                        break;
                    }

                    Array.Resize(ref buffer, (int)wanted);
                }

                int n = await file.ReadAsync(total, buffer.AsMemory(total), cancellationToken).ConfigureAwait(false);
                if (n <= 0)
                {
                    break;
                }

                total += n;
                if (file.Length is long end && total >= end)
                {
                    break;
                }
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return (null, total);
        }

        if (total > cap)
        {
            return (null, total);
        }

        // UTF-8 with or without BOM; GDAL writes UTF-8.
        string text = new UTF8Encoding(false).GetString(buffer, 0, total);
        return (text.TrimStart('\uFEFF'), total);
    }
}
