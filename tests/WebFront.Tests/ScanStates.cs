using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Pcrs.WebFront.Tests;

/// <summary>A deliverable's scan state read through the public API (<c>GET …/scan</c>), as a user's script waits for it.</summary>
public static class ScanStates
{
    /// <summary>Generous: a declaration is proven, then scanned, on a machine that runs every test class at once.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(180);

    /// <summary>Polls until the status is succeeded, failed or partial (not verifying, queued nor running); returns the state.</summary>
    public static async Task<JsonNode> SettledAsync(HttpClient client, string deliverable, TimeSpan? timeout = null)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var scan = await WebFrontFixture.ReadJsonAsync(await client.GetAsync($"{deliverable}/scan"));
            var status = scan["status"]!.GetValue<string>();
            if (status is "succeeded" or "failed" or "partial")
                return scan;
            Assert.True(deadline.Elapsed < (timeout ?? DefaultTimeout), $"scan still {status}: {scan.ToJsonString()}");
            await Task.Delay(250);
        }
    }

    /// <summary>The settled state, which must be a success (the test fails with the state read otherwise).</summary>
    public static async Task<JsonNode> SucceededAsync(HttpClient client, string deliverable, TimeSpan? timeout = null)
    {
        var scan = await SettledAsync(client, deliverable, timeout);
        Assert.True(scan["status"]!.GetValue<string>() == "succeeded", scan.ToJsonString());
        return scan;
    }
}
