using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Pcrs.TestSupport.Gdal;

/// <summary>What <c>gdalinfo -json</c> says of one file: the oracle the format readers are checked against.</summary>
public sealed record GdalInfoResult
{
    public required int Width { get; init; }
    public required int Height { get; init; }

    /// <summary>GDAL geotransform, or null when GDAL found no georeferencing.</summary>
    public double[]? GeoTransform { get; init; }

    /// <summary>EPSG code from the STAC block (proj:epsg), or null.</summary>
    public int? Epsg { get; init; }

    /// <summary>Name of the CRS as written in the WKT (e.g. "RGF93 v1 / Lambert-93"), or null.</summary>
    public string? CrsName { get; init; }

    public required IReadOnlyList<string> ColorInterpretations { get; init; }
    public required IReadOnlyList<string?> Descriptions { get; init; }
    public required IReadOnlyList<string> DataTypes { get; init; }

    /// <summary>IMAGE_STRUCTURE COMPRESSION, or null when absent (uncompressed).</summary>
    public string? Compression { get; init; }

    public string? AreaOrPoint { get; init; }

    /// <summary>WGS84 extent ring (longitude, latitude), or null.</summary>
    public IReadOnlyList<(double Lon, double Lat)>? Wgs84Extent { get; init; }

    /// <summary>Files GDAL considered part of the dataset (the data file first, then sidecars it used).</summary>
    public required IReadOnlyList<string> Files { get; init; }

    public required string Json { get; init; }
}

/// <summary>
/// Runs GDAL's command-line tools (installed by the peers script). A missing GDAL is a test failure, never a skip:
/// the expectations of the format tests come from it.
/// </summary>
public static class GdalInfo
{
    public static string GdalInfoPath => Environment.GetEnvironmentVariable("GDALINFO") is { Length: > 0 } p ? p : "gdalinfo";

    /// <summary>The Debian python with the osgeo bindings (a python3 earlier on PATH may lack them).</summary>
    public static string Python => Environment.GetEnvironmentVariable("GDAL_PYTHON") is { Length: > 0 } p ? p : "/usr/bin/python3";

    /// <summary>Runs <c>gdalinfo -json</c> on a local file; config options are passed as <c>--config KEY VALUE</c>.</summary>
    public static GdalInfoResult Run(string path, params (string Key, string Value)[] config)
    {
        var args = new List<string> { "-json" };
        foreach ((string key, string value) in config)
        {
            args.AddRange(["--config", key, value]);
        }

        args.Add(path);
        (int code, string stdout, string stderr) = Exec(GdalInfoPath, args, TimeSpan.FromSeconds(60));
        if (code != 0)
        {
            throw new GdalFailedException($"gdalinfo failed on {path} (exit {code}): {stderr.Trim()}");
        }

        return Parse(stdout);
    }

    /// <summary>True when gdalinfo refuses the file (exit status not 0), as it does for unreadable inputs.</summary>
    public static bool Refuses(string path)
    {
        (int code, _, _) = Exec(GdalInfoPath, ["-json", path], TimeSpan.FromSeconds(60));
        return code != 0;
    }

    /// <summary>Runs a script with the GDAL python and fails with its stderr if it does not exit 0.</summary>
    public static void RunPython(string script, params string[] args)
    {
        (int code, _, string stderr) = Exec(Python, [script, .. args], TimeSpan.FromMinutes(5));
        if (code != 0)
        {
            throw new GdalFailedException($"{Path.GetFileName(script)} failed (exit {code}): {stderr.Trim()}");
        }
    }

    public static GdalInfoResult Parse(string json)
    {
        using JsonDocument doc = JsonDocument.Parse(json);
        JsonElement root = doc.RootElement;
        JsonElement size = root.GetProperty("size");
        double[]? gt = root.TryGetProperty("geoTransform", out JsonElement g)
            ? [.. g.EnumerateArray().Select(v => v.GetDouble())]
            : null;
        int? epsg = root.TryGetProperty("stac", out JsonElement stac) && stac.TryGetProperty("proj:epsg", out JsonElement e)
            && e.ValueKind == JsonValueKind.Number
            ? e.GetInt32()
            : null;
        string? crsName = null;
        if (root.TryGetProperty("coordinateSystem", out JsonElement cs) && cs.TryGetProperty("wkt", out JsonElement wkt))
        {
            string text = wkt.GetString() ?? "";
            int open = text.IndexOf("[\"", StringComparison.Ordinal);
            int close = open < 0 ? -1 : text.IndexOf('"', open + 2);
            crsName = close > open ? text[(open + 2)..close] : null;
        }

        var interp = new List<string>();
        var descriptions = new List<string?>();
        var types = new List<string>();
        foreach (JsonElement band in root.GetProperty("bands").EnumerateArray())
        {
            interp.Add(band.TryGetProperty("colorInterpretation", out JsonElement ci) ? ci.GetString() ?? "" : "Undefined");
            descriptions.Add(band.TryGetProperty("description", out JsonElement d) ? d.GetString() : null);
            types.Add(band.GetProperty("type").GetString() ?? "");
        }

        string? compression = null;
        string? areaOrPoint = null;
        if (root.TryGetProperty("metadata", out JsonElement md))
        {
            if (md.TryGetProperty("IMAGE_STRUCTURE", out JsonElement ims) && ims.TryGetProperty("COMPRESSION", out JsonElement c))
            {
                compression = c.GetString();
            }

            if (md.TryGetProperty("", out JsonElement def) && def.TryGetProperty("AREA_OR_POINT", out JsonElement ap))
            {
                areaOrPoint = ap.GetString();
            }
        }

        List<(double, double)>? ring = null;
        if (root.TryGetProperty("wgs84Extent", out JsonElement ext))
        {
            ring = [.. ext.GetProperty("coordinates")[0].EnumerateArray().Select(p => (p[0].GetDouble(), p[1].GetDouble()))];
        }

        var files = root.TryGetProperty("files", out JsonElement f)
            ? f.EnumerateArray().Select(x => x.GetString() ?? "").ToList()
            : [];

        return new GdalInfoResult
        {
            Width = size[0].GetInt32(),
            Height = size[1].GetInt32(),
            GeoTransform = gt,
            Epsg = epsg,
            CrsName = crsName,
            ColorInterpretations = interp,
            Descriptions = descriptions,
            DataTypes = types,
            Compression = compression,
            AreaOrPoint = areaOrPoint,
            Wgs84Extent = ring,
            Files = files,
            Json = json,
        };
    }

    private static (int Code, string Stdout, string Stderr) Exec(string file, IEnumerable<string> args, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using Process process = Process.Start(psi) ?? throw new GdalFailedException($"could not start {file}");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new GdalFailedException($"{file} did not finish within {timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s");
        }

        return (process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }
}

public sealed class GdalFailedException(string message) : Exception(message);
