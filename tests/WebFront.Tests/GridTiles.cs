using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Pcrs.TestSupport;

namespace Pcrs.WebFront.Tests;

/// <summary>
/// A regular grid of Lambert-93 tiles on nginx: hard links of the fixture without georeferencing (1000 x 800 px at
/// 0.5 m, 500 m x 400 m), each placed by its own world file and .prj, and a project whose deliverable scans them.
/// </summary>
public static class GridTiles
{
    public const string Lambert93Prj =
        "PROJCS[\"RGF_1993_Lambert_93\",GEOGCS[\"GCS_RGF_1993\",DATUM[\"D_RGF_1993\",SPHEROID[\"GRS_1980\",6378137.0,298.257222101]]," +
        "PRIMEM[\"Greenwich\",0.0],UNIT[\"Degree\",0.0174532925199433]],PROJECTION[\"Lambert_Conformal_Conic\"]," +
        "PARAMETER[\"False_Easting\",700000.0],PARAMETER[\"False_Northing\",6600000.0],PARAMETER[\"Central_Meridian\",3.0]," +
        "PARAMETER[\"Standard_Parallel_1\",49.0],PARAMETER[\"Standard_Parallel_2\",44.0],PARAMETER[\"Latitude_Of_Origin\",46.5],UNIT[\"Meter\",1.0]]";

    public const double West = 652000, North = 6863000, TileWidth = 500, TileHeight = 400;

    /// <summary>Writes the grid (once) under the nginx root; returns its URL path ("/webfront-tests/…/").</summary>
    public static string Prepare(string name, int columns, int rows, Func<int, int, bool>? skip = null)
    {
        var folder = Path.Combine(Peers.DataDir, "webfront-tests", name);
        Directory.CreateDirectory(folder);
        for (int row = 0; row < rows; row++)
        {
            for (int column = 0; column < columns; column++)
            {
                if (skip?.Invoke(column, row) == true)
                    continue;
                var tile = Path.Combine(folder, $"t_{column:000}_{row:000}.tif");
                if (File.Exists(tile))
                    continue;
                // World file: pixel size, rotations, then the centre of the top-left pixel; rows go south.
                double west = West + column * TileWidth, north = North - row * TileHeight;
                File.WriteAllText(Path.ChangeExtension(tile, ".tfw"), FormattableString.Invariant($"0.5\n0\n0\n-0.5\n{west + 0.25}\n{north - 0.25}\n"));
                File.WriteAllText(Path.ChangeExtension(tile, ".prj"), Lambert93Prj);
                HardLinks.Create(Path.Combine(Peers.FixturesDir, "nogeo_rgb_with_tfw.tif"), tile);
            }
        }
        return $"/webfront-tests/{name}/";
    }

    /// <summary>A project whose first deliverable's storage is the grid; waits for its scan. Returns the deliverable's route.</summary>
    public static async Task<(CreatedProject Project, string Deliverable)> ScannedProjectAsync(
        WebFrontFixture web, string projectName, string gridPath, bool downloadAllowed = false, bool publicConnection = false)
    {
        var project = await web.CreateProjectAsync(projectName);
        var d = $"/api/projects/{project.Id}/deliverables/{project.Deliverables[0]}";
        using var editor = web.Client(project.EditorKey);
        var declare = await editor.PutAsJsonAsync($"{d}/storage", new JsonObject
        {
            ["type"] = "http", ["url"] = $"http://127.0.0.1:{Peers.Nginx}{gridPath}",
            ["publicConnection"] = publicConnection, ["downloadAllowed"] = downloadAllowed,
        });
        Assert.Equal(HttpStatusCode.Accepted, declare.StatusCode);
        using var anonymous = web.Client();
        await ScanStates.SucceededAsync(anonymous, d, TimeSpan.FromSeconds(300));
        return (project, d);
    }

    /// <summary>
    /// The owner declares what the scan cannot read: the sample project again (same deliverable id, its storage kept) with
    /// the actor's e-mail, the acquisition and acceptance days, overlaps, focal length and cost.
    /// </summary>
    public static async Task DeclareFactsAsync(WebFrontFixture web, CreatedProject project, string projectName)
    {
        var body = WebFrontFixture.SampleProject(projectName);
        body["actors"]![0]!["email"] = "sig@metzmetropole.fr";
        var deliverable = body["deliverables"]![0]!;
        deliverable["id"] = project.Deliverables[0].ToString();
        deliverable["deliveryDate"] = "2024-09-30";
        deliverable["acquisitionDate"] = "2024-04-12";
        deliverable["acceptanceDate"] = "2024-10-15";
        deliverable["sideOverlap"] = 30;
        deliverable["forwardOverlap"] = 60.5;
        deliverable["focalLength"] = 100;
        deliverable["cost"] = 85000.5;
        using var editor = web.Client(project.EditorKey);
        var response = await editor.PutAsJsonAsync($"/api/projects/{project.Id}", body);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }
}

/// <summary>Runs the ecosystem's command-line tools (GDAL, Python, xmllint) on files the tests wrote.</summary>
public static class Tools
{
    public static async Task<string> RunAsync(string tool, params string[] arguments)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{tool} {string.Join(' ', arguments)}: exit {process.ExitCode}\n{await stderr}\n{await stdout}");
        return await stdout;
    }

    /// <summary>Saves a response body to a temporary file with the given extension (GDAL picks drivers by it).</summary>
    public static async Task<string> SaveAsync(HttpResponseMessage response, string extension)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var file = Path.Combine(Path.GetTempPath(), "pcrs-meta-" + Guid.NewGuid().ToString("N") + extension);
        await File.WriteAllBytesAsync(file, await response.Content.ReadAsByteArrayAsync());
        return file;
    }
}
