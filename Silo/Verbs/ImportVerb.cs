using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Pcrs.Silo.Verbs;

/// <summary>
/// <c>import &lt;file.csv|file.json&gt; [--url URL] [--token-file PATH]</c>: sends a bulk import to a running web front's
/// POST /api/admin/import (the one place that checks and applies declarations) and prints one line per imported or
/// refused line. The administrator token comes from <c>--token-file</c> or the PCRS_ADMIN_TOKEN environment variable,
/// never from the command line (which other users of the machine can read). Exit 0: every line imported; 1: some
/// refused; 2: nothing sent or the whole file refused.
/// </summary>
internal static class ImportVerb
{
    public const string Usage = "Usage: Pcrs.Silo import <file.csv|file.json> [--url http://127.0.0.1:5080] [--token-file PATH] (or PCRS_ADMIN_TOKEN)";

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        string? file = null, tokenFile = null;
        string url = "http://127.0.0.1:5080";
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--url" when i + 1 < args.Length:
                    url = args[++i];
                    break;
                case "--token-file" when i + 1 < args.Length:
                    tokenFile = args[++i];
                    break;
                case var a when !a.StartsWith('-') && file is null:
                    file = a;
                    break;
                default:
                    await error.WriteLineAsync($"error: unexpected argument '{args[i]}'.\n{Usage}");
                    return 2;
            }
        }
        if (file is null || !File.Exists(file))
        {
            await error.WriteLineAsync(file is null ? Usage : $"error: no file '{file}'.");
            return 2;
        }
        var token = tokenFile is not null ? (await File.ReadAllTextAsync(tokenFile, cancellationToken)).Trim() : Environment.GetEnvironmentVariable("PCRS_ADMIN_TOKEN");
        if (string.IsNullOrWhiteSpace(token))
        {
            await error.WriteLineAsync("error: no administrator token: give --token-file PATH or set PCRS_ADMIN_TOKEN.");
            return 2;
        }

        using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromMinutes(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        await using var stream = File.OpenRead(file);
        using var content = new StreamContent(stream);
        content.Headers.ContentType = new MediaTypeHeaderValue(
            file.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) ? "text/csv" : "application/json") { CharSet = "utf-8" };
        HttpResponseMessage response;
        try
        {
            response = await http.PostAsync("/api/admin/import", content, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            await error.WriteLineAsync($"error: the web front at {url} did not answer ({e.Message}).");
            return 2;
        }
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                await error.WriteLineAsync($"error: {(int)response.StatusCode} {response.ReasonPhrase}: {Problem(body)}");
                return 2;
            }
            using var report = JsonDocument.Parse(body);
            foreach (var line in report.RootElement.GetProperty("results").EnumerateArray())
                await output.WriteLineAsync(Describe(line));
            var root = report.RootElement;
            await output.WriteLineAsync($"{root.GetProperty("lines").GetInt32()} lines: {root.GetProperty("imported").GetInt32()} imported, {root.GetProperty("refused").GetInt32()} refused");
            return root.GetProperty("refused").GetInt32() == 0 ? 0 : 1;
        }
    }

    private static string Describe(JsonElement line)
    {
        var number = line.GetProperty("line").GetInt32();
        if (line.GetProperty("status").GetString() == "imported")
        {
            var deliverables = string.Join(",", line.GetProperty("deliverableIds").EnumerateArray().Select(d => d.GetString()));
            return $"line {number}: imported project {line.GetProperty("projectId").GetString()} deliverables {deliverables} editor key {line.GetProperty("editorKey").GetString()}";
        }
        var problem = line.GetProperty("problem");
        var reasons = problem.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object
            ? errors.EnumerateObject().SelectMany(e => e.Value.EnumerateArray().Select(m => $"{e.Name}: {m.GetString()}")).ToList()
            : [];
        if (problem.TryGetProperty("detail", out var detail) && detail.ValueKind == JsonValueKind.String)
            reasons.Add(detail.GetString()!);
        return $"line {number}: refused: {string.Join("; ", reasons)}";
    }

    private static string Problem(string body)
    {
        try
        {
            using var problem = JsonDocument.Parse(body);
            var parts = new List<string>();
            if (problem.RootElement.TryGetProperty("detail", out var detail) && detail.ValueKind == JsonValueKind.String)
                parts.Add(detail.GetString()!);
            if (problem.RootElement.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object)
                parts.AddRange(errors.EnumerateObject().SelectMany(e => e.Value.EnumerateArray().Select(m => $"{e.Name}: {m.GetString()}")));
            return parts.Count > 0 ? string.Join("; ", parts) : body;
        }
        catch (JsonException)
        {
            return body.Length > 500 ? body[..500] : body;
        }
    }
}
