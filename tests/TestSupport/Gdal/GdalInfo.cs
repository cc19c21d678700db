using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Pcrs.TestSupport.Gdal;

/// <summary>
/// The oracle: what <c>gdalinfo -json</c> says of a file, reduced to the fields the readers must reproduce.
/// GDAL must be installed (it is on this machine and in CI); a missing gdalinfo fails the test, it never skips it.
/// </summary>
public sealed partial record GdalInfo
{
    public required string DriverShortName { get; init; }
    public required int Width { get; init; }
    public required int Height { get; init; }
    public required IReadOnlyList<GdalBand> Bands { get; init; }

    /// <summary>The CRS's own EPSG code (the last ID/AUTHORITY of the WKT), null without CRS or without code.</summary>
    public int? Epsg { get; init; }

    /// <summary>The CRS name as GDAL prints it (first quoted string of the WKT).</summary>
    public string? CrsName { get; init; }

    public IReadOnlyList<double>? GeoTransform { get; init; }

    /// <summary>The corners of <c>wgs84Extent</c> (lon, lat) as printed (7 decimals), closing point included.</summary>
    public IReadOnlyList<(double Lon, double Lat)>? Wgs84Extent { get; init; }

    /// <summary>IMAGE_STRUCTURE metadata of the dataset (COMPRESSION, COMPRESSION_REVERSIBILITY, INTERLEAVE…).</summary>
    public IReadOnlyDictionary<string, string> ImageStructure { get; init; } = new Dictionary<string, string>();

    /// <summary>Files GDAL used (the file itself, then sidecars such as .aux.xml or .j2w).</summary>
    public IReadOnlyList<string> Files { get; init; } = [];

    public static GdalInfo Run(string path, params string[] extraArguments)
    {
        var start = new ProcessStartInfo("gdalinfo") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-json");
        foreach (string argument in extraArguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.ArgumentList.Add(path);
        using Process process = Process.Start(start) ?? throw new InvalidOperationException("gdalinfo could not be started.");
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        string json = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new GdalFailedException($"gdalinfo failed on {path} (exit {process.ExitCode}): {stderr.Result.Trim()}");
        }

        return Parse(json);
    }

    /// <summary>True when gdalinfo refuses to open the file (exit code not 0).</summary>
    public static bool Fails(string path)
    {
        try
        {
            Run(path);
            return false;
        }
        catch (GdalFailedException)
        {
            return true;
        }
    }

    public static GdalInfo Parse(string json)
    {
        using JsonDocument document = JsonDocument.Parse(json);
        JsonElement root = document.RootElement;
        JsonElement size = root.GetProperty("size");

        string? wkt = root.TryGetProperty("coordinateSystem", out JsonElement cs) && cs.TryGetProperty("wkt", out JsonElement w) ? w.GetString() : null;
        int? epsg = null;
        string? crsName = null;
        if (!string.IsNullOrEmpty(wkt))
        {
            MatchCollection ids = EpsgId().Matches(wkt);
            if (ids.Count > 0 && wkt.TrimEnd().EndsWith(']') && ids[^1].Index > wkt.Length - 40)
            {
                epsg = int.Parse(ids[^1].Groups["code"].Value, CultureInfo.InvariantCulture);
            }

            Match name = FirstQuoted().Match(wkt);
            crsName = name.Success ? name.Groups["name"].Value : null;
        }

        double[]? geoTransform = root.TryGetProperty("geoTransform", out JsonElement gt) ? gt.EnumerateArray().Select(e => e.GetDouble()).ToArray() : null;

        List<(double, double)>? extent = null;
        if (root.TryGetProperty("wgs84Extent", out JsonElement wgs))
        {
            extent = wgs.GetProperty("coordinates")[0].EnumerateArray().Select(p => (p[0].GetDouble(), p[1].GetDouble())).ToList();
        }

        var structure = new Dictionary<string, string>();
        if (root.TryGetProperty("metadata", out JsonElement md) && md.TryGetProperty("IMAGE_STRUCTURE", out JsonElement imageStructure))
        {
            foreach (JsonProperty p in imageStructure.EnumerateObject())
            {
                structure[p.Name] = p.Value.GetString() ?? "";
            }
        }

        var bands = new List<GdalBand>();
        foreach (JsonElement band in root.GetProperty("bands").EnumerateArray())
        {
            string? compression = band.TryGetProperty("metadata", out JsonElement bm) && bm.TryGetProperty("IMAGE_STRUCTURE", out JsonElement bis)
                && bis.TryGetProperty("COMPRESSION", out JsonElement c) ? c.GetString() : null;
            string? nbits = band.TryGetProperty("metadata", out JsonElement bm2) && bm2.TryGetProperty("IMAGE_STRUCTURE", out JsonElement bis2)
                && bis2.TryGetProperty("NBITS", out JsonElement n) ? n.GetString() : null;
            bands.Add(new GdalBand(
                band.GetProperty("band").GetInt32(),
                band.GetProperty("type").GetString() ?? "",
                band.TryGetProperty("colorInterpretation", out JsonElement ci) ? ci.GetString() ?? "" : "",
                band.TryGetProperty("description", out JsonElement d) ? d.GetString() : null,
                band.TryGetProperty("block", out JsonElement block) ? (block[0].GetInt32(), block[1].GetInt32()) : (0, 0),
                compression,
                nbits is null ? null : int.Parse(nbits, CultureInfo.InvariantCulture)));
        }

        return new GdalInfo
        {
            DriverShortName = root.GetProperty("driverShortName").GetString() ?? "",
            Width = size[0].GetInt32(),
            Height = size[1].GetInt32(),
            Bands = bands,
            Epsg = epsg,
            CrsName = crsName,
            GeoTransform = geoTransform,
            Wgs84Extent = extent,
            ImageStructure = structure,
            Files = root.TryGetProperty("files", out JsonElement files) ? files.EnumerateArray().Select(f => f.GetString() ?? "").ToList() : [],
        };
    }

    [GeneratedRegex("""(?:ID|AUTHORITY)\["EPSG",\s*"?(?<code>\d+)"?\]""")]
    private static partial Regex EpsgId();

    [GeneratedRegex("""^\s*\w+\["(?<name>[^"]*)""")]
    private static partial Regex FirstQuoted();
}

/// <summary>One band as gdalinfo prints it.</summary>
public sealed record GdalBand(int Number, string DataType, string ColorInterpretation, string? Description, (int X, int Y) Block,
    string? Compression, int? NBits);

public sealed class GdalFailedException(string message) : Exception(message);
