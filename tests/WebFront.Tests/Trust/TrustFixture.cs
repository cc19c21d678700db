using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Pcrs.TestSupport;

namespace Pcrs.WebFront.Tests.Trust;

/// <summary>
/// The web front trusting the peers' certificate and host keys (as <see cref="DownloadFixture"/>), with two connections
/// per storage and a recorder of every grain message of its co-hosted silo.
/// </summary>
public sealed class TrustFixture : DownloadFixture
{
    public const int Limit = 2;

    protected override void Configure(IWebHostBuilder builder)
    {
        base.Configure(builder);
        builder.UseSetting("Scanning:MaxConnectionsPerStorage", Limit.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<GrainMessageRecorder>();
            services.AddSingleton<IIncomingGrainCallFilter>(sp => sp.GetRequiredService<GrainMessageRecorder>());
            services.AddSingleton<IOutgoingGrainCallFilter>(sp => sp.GetRequiredService<GrainMessageRecorder>());
        });
    }

    public GrainMessageRecorder Messages => Factory.Services.GetRequiredService<GrainMessageRecorder>();

    /// <summary>Three tiles in "&lt;name&gt;/ortho" and a text file in "&lt;name&gt;/other", under the peers' data root; returns "/trust-tests/&lt;name&gt;".</summary>
    public static string Tree(string name)
    {
        var root = Path.Combine(Peers.DataDir, "trust-tests", name);
        var ortho = Directory.CreateDirectory(Path.Combine(root, "ortho")).FullName;
        foreach (var tile in TileNames)
        {
            var target = Path.Combine(ortho, tile);
            if (!File.Exists(target))
                File.Copy(Path.Combine(Peers.FixturesDir, tile), target);
        }
        Directory.CreateDirectory(Path.Combine(root, "other"));
        File.WriteAllText(Path.Combine(root, "other", "lisez-moi.txt"), "not a tile");
        return $"/trust-tests/{name}";
    }

    public static readonly string[] TileNames = ["l93_rgb_geojp2_only.jp2", "l93_rgb_tiled_lzw.tif", "l93_rgb_lossless.jp2"];

    /// <summary>PUT …/storage: 202 with "verifying" (the login is proven before anything is shared); returns the deliverable's URL.</summary>
    public async Task<string> DeclareAsync(CreatedProject project, int deliverable, JsonObject storage)
    {
        var d = $"/api/projects/{project.Id}/deliverables/{project.Deliverables[deliverable]}";
        using var editor = Client(project.EditorKey);
        var response = await editor.PutAsJsonAsync($"{d}/storage", storage);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, body);
        Assert.Equal("verifying", JsonNode.Parse(body)!["status"]!.GetValue<string>());
        return d;
    }

    /// <summary>Waits until the deliverable's scan state is "succeeded" or "failed" (not verifying, queued nor running); returns it.</summary>
    public async Task<JsonNode> SettledScanAsync(string deliverable, TimeSpan? timeout = null)
    {
        using var anonymous = Client();
        return await ScanStates.SettledAsync(anonymous, deliverable, timeout);
    }

    /// <summary>POST …/scan by the editor, then the settled state of a scan newer than the one before.</summary>
    public async Task<JsonNode> RescanAsync(CreatedProject project, string deliverable)
    {
        using var editor = Client(project.EditorKey);
        Assert.Equal(HttpStatusCode.Accepted, (await editor.PostAsync($"{deliverable}/scan", null)).StatusCode);
        await Task.Delay(300);
        return await SettledScanAsync(deliverable);
    }
}
