using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Pcrs.WebFront.Exports;

namespace Pcrs.WebFront.Tests;

/// <summary>
/// Every CSV the API serves is whole when it comes from the output cache (the same bytes as a fresh answer) and safe to
/// open in a spreadsheet: text starting like a formula is prefixed with a single quote. The files are parsed with
/// Python's <c>csv</c> module, an independent RFC 4180 reader.
/// </summary>
[Collection(WebFrontCollection.Name)]
public sealed class CsvExportSafetyTests(WebFrontFixture web) : IClassFixture<WebFrontFixture>
{
    private static readonly string[] FormulaNames =
        ["=cmd|' /C calc'!A0", "+33 formule", "-2+3", "@SUM(A1:A9)", "=HYPERLINK(\"http://x.invalid\",\"clic\")"];

    [Theory]
    [InlineData("/api/exports/projets.csv")]
    [InlineData("/api/exports/livrables.csv")]
    [InlineData("/data/projets.csv")]
    [InlineData("/data/livrables.csv")]
    [InlineData("/data/tours-de-table.csv")]
    [InlineData("/data/subventions.csv")]
    public async Task A_cached_export_is_the_same_whole_file_as_a_fresh_one(string route)
    {
        await web.CreateProjectAsync("Projet cache " + Guid.NewGuid().ToString("N")[..6]);
        using var anonymous = web.Client();
        var first = await anonymous.GetAsync(route);
        var second = await anonymous.GetAsync(route);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var fresh = await first.Content.ReadAsByteArrayAsync();
        var cached = await second.Content.ReadAsByteArrayAsync();
        Assert.True(fresh.Length > 100, $"fresh export of {fresh.Length} bytes");
        Assert.Equal(fresh, cached);
        Assert.Equal("text/csv", second.Content.Headers.ContentType?.MediaType);
        // Both parse to the same rows, every row as wide as the header.
        var rows = ParseWithPython(cached);
        Assert.Equal(ParseWithPython(fresh), rows);
        Assert.All(rows, row => Assert.Equal(rows[0].Length, row.Length));
    }

    [Fact]
    public async Task Formula_like_text_is_neutralised_in_every_csv_and_the_rest_is_unchanged()
    {
        var created = new List<(string Name, CreatedProject Project)>();
        foreach (var name in FormulaNames)
        {
            var body = WebFrontFixture.SampleProject(name);
            body["deliverables"]![0]!["name"] = name;
            body["actors"]![0]!["name"] = name;
            body["subsidies"]![0]!["name"] = name;
            using var admin = web.Client(WebFrontFixture.AdminToken);
            var response = await admin.PostAsJsonAsync("/api/projects", body);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            var json = await WebFrontFixture.ReadJsonAsync(response);
            created.Add((name, new CreatedProject(json["id"]!.GetValue<Guid>(), json["editorKey"]!.GetValue<string>(),
                json["deliverableIds"]!.AsArray().Select(n => n!.GetValue<Guid>()).ToArray())));
        }
        using var anonymous = web.Client();
        // Twice each: the second answer comes from the output cache.
        for (int round = 0; round < 2; round++)
        {
            var projects = ParseWithPython(await anonymous.GetByteArrayAsync("/api/exports/projets.csv"));
            var deliverables = ParseWithPython(await anonymous.GetByteArrayAsync("/api/exports/livrables.csv"));
            int projectName = Array.IndexOf(projects[0], "nom"), budget = Array.IndexOf(projects[0], "budget");
            int deliverableProject = Array.IndexOf(deliverables[0], "projet_nom"), deliverableName = Array.IndexOf(deliverables[0], "nom");
            foreach (var (name, project) in created)
            {
                var row = Assert.Single(projects, r => r[0] == project.Id.ToString());
                Assert.Equal("'" + name, row[projectName]);
                Assert.Equal("120000", row[budget]);
                var deliverable = Assert.Single(deliverables, r => r[2] == project.Deliverables[0].ToString());
                Assert.Equal("'" + name, deliverable[deliverableProject]);
                Assert.Equal("'" + name, deliverable[deliverableName]);
            }
            // No cell of any CSV the API serves starts like a formula.
            var platform = new List<string[]>();
            foreach (var route in new[] { "/data/projets.csv", "/data/livrables.csv", "/data/tours-de-table.csv", "/data/subventions.csv", "/data/territoires.csv" })
                platform.AddRange(ParseWithPython(await anonymous.GetByteArrayAsync(route)));
            Assert.Contains(platform, row => row.Contains("'" + FormulaNames[0]));
            Assert.All(projects.Concat(deliverables).Concat(platform).SelectMany(r => r),
                cell => Assert.False(cell.Length > 0 && "=+-@\t\r".Contains(cell[0]), cell));
        }
    }

    [Theory]
    [InlineData("=1+1", "'=1+1")]
    [InlineData("+1", "'+1")]
    [InlineData("-1", "'-1")]
    [InlineData("@A1", "'@A1")]
    [InlineData("\t=1", "'\t=1")]
    [InlineData("\r=1", "'\r=1")]
    [InlineData("Métropole", "Métropole")]
    [InlineData("", "")]
    [InlineData("a=b", "a=b")]
    public void Neutralise_prefixes_only_formula_starts(string text, string expected) =>
        Assert.Equal(expected, CsvWriter.Neutralise(text));

    /// <summary>Rows of a CSV file as Python's <c>csv.reader</c> reads them (UTF-8, RFC 4180 dialect).</summary>
    private static List<string[]> ParseWithPython(byte[] csv)
    {
        var path = Path.Combine(Path.GetTempPath(), $"pcrs-export-{Guid.NewGuid():N}.csv");
        File.WriteAllBytes(path, csv);
        try
        {
            var start = new ProcessStartInfo("python3")
            {
                RedirectStandardOutput = true, RedirectStandardError = true,
                ArgumentList =
                {
                    "-c",
                    "import csv, json, sys\nwith open(sys.argv[1], newline='', encoding='utf-8') as f:\n    json.dump(list(csv.reader(f, strict=True)), sys.stdout)",
                    path,
                },
            };
            using var python = Process.Start(start)!;
            var output = python.StandardOutput.ReadToEnd();
            var error = python.StandardError.ReadToEnd();
            python.WaitForExit();
            Assert.True(python.ExitCode == 0, error);
            return JsonSerializer.Deserialize<List<string[]>>(output)!;
        }
        finally
        {
            File.Delete(path);
        }
    }
}
