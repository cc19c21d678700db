using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Pcrs.TestSupport.Gdal;

/// <summary>
/// Batch access to GDAL/PROJ (osgeo.osr through Debian's python3-gdal) for CRS tests: one process for many questions,
/// where spawning gdalsrsinfo or gdaltransform per case would cost half a second each.
/// </summary>
public static class GdalSrsOracle
{
    private static string Script => Path.Combine(AppContext.BaseDirectory, "Gdal", "srs_oracle.py");

    public sealed record Definition(string Name, string Wkt1, string Esri, string Wkt2);

    public static IReadOnlyDictionary<int, Definition> Definitions(IEnumerable<int> codes)
    {
        JsonNode answer = Ask(new JsonObject { ["definitions"] = new JsonArray(codes.Select(c => (JsonNode)c).ToArray()) });
        return answer["definitions"]!.AsObject().ToDictionary(
            p => int.Parse(p.Key, System.Globalization.CultureInfo.InvariantCulture),
            p => new Definition((string)p.Value!["name"]!, (string)p.Value!["wkt1"]!, (string)p.Value!["esri"]!, (string)p.Value!["wkt2"]!));
    }

    /// <summary>The EPSG code GDAL finds for each WKT (FindMatches, confidence ≥ 90), null when none.</summary>
    public static IReadOnlyDictionary<string, int?> Identify(IReadOnlyDictionary<string, string> wkts)
    {
        var request = new JsonObject { ["identify"] = new JsonObject(wkts.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))) };
        return Ask(request)["identify"]!.AsObject().ToDictionary(p => p.Key, p => (int?)p.Value?.GetValue<int>());
    }

    /// <summary>Transforms batches of points (traditional GIS order: x = easting/longitude).</summary>
    public static IReadOnlyList<IReadOnlyList<(double X, double Y)>> Transform(IEnumerable<(string From, string To, IEnumerable<(double X, double Y)> Points)> jobs)
    {
        var array = new JsonArray();
        foreach (var (from, to, points) in jobs)
        {
            array.Add(new JsonObject
            {
                ["from"] = from,
                ["to"] = to,
                ["points"] = new JsonArray(points.Select(p => (JsonNode)new JsonArray(p.X, p.Y)).ToArray()),
            });
        }

        return Ask(new JsonObject { ["transform"] = array })["transform"]!.AsArray()
            .Select(job => (IReadOnlyList<(double, double)>)job!.AsArray().Select(p => ((double)p![0]!, (double)p[1]!)).ToList())
            .ToList();
    }

    private static JsonNode Ask(JsonObject request)
    {
        var start = new ProcessStartInfo(GdalInfo.Python)
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        start.ArgumentList.Add(Script);
        using Process process = Process.Start(start) ?? throw new InvalidOperationException("python3 could not be started.");
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        process.StandardInput.Write(request.ToJsonString());
        process.StandardInput.Close();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new GdalFailedException($"The GDAL python oracle failed (exit {process.ExitCode}): {stderr.Result.Trim()}");
        }

        return JsonNode.Parse(stdout.Result) ?? throw new GdalFailedException("The GDAL python oracle printed nothing.");
    }
}
