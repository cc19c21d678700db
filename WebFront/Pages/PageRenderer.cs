using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace Pcrs.WebFront.Pages;

/// <summary>
/// Puts a page's main content into the one layout (design-system header and footer), so every page carries the same
/// required links and mentions. Pages are embedded resources: <c>Pages/Html/&lt;name&gt;.html</c>, starting with
/// <c>&lt;!--title: …--&gt;</c>, optional <c>&lt;!--description: …--&gt;</c> and <c>&lt;!--script: /js/x.js--&gt;</c> lines.
/// </summary>
public sealed partial class PageRenderer
{
    private readonly ConcurrentDictionary<string, string> _rendered = new(StringComparer.Ordinal);
    private readonly string _layout = Read("layout");

    /// <summary>The whole HTML of page <paramref name="name"/> (cached: pages are static, data comes from the API).</summary>
    public string Render(string name) => _rendered.GetOrAdd(name, Build);

    public static bool Exists(string name) =>
        typeof(PageRenderer).Assembly.GetManifestResourceInfo(ResourceName(name)) is not null;

    private string Build(string name)
    {
        var source = Read(name);
        var meta = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (Match m in MetaLine().Matches(source))
        {
            if (!meta.TryGetValue(m.Groups["key"].Value, out var values))
                meta[m.Groups["key"].Value] = values = [];
            values.Add(m.Groups["value"].Value.Trim());
        }
        var main = MetaLine().Replace(source, "");
        string First(string key, string fallback) => meta.TryGetValue(key, out var v) ? v[0] : fallback;
        var scripts = new StringBuilder();
        foreach (var script in meta.GetValueOrDefault("script") ?? [])
            scripts.Append("  <script type=\"module\" src=\"").Append(WebUtility.HtmlEncode(script)).Append("\"></script>\n");
        var nav = First("nav", name);
        var html = _layout
            .Replace("{{title}}", WebUtility.HtmlEncode(First("title", "Explorateur de stockages PCRS")), StringComparison.Ordinal)
            .Replace("{{description}}", WebUtility.HtmlEncode(First("description", "Les livrables du plan corps de rue simplifié (PCRS) et le contenu de leurs stockages.")), StringComparison.Ordinal)
            .Replace("{{page}}", WebUtility.HtmlEncode(name), StringComparison.Ordinal)
            .Replace("{{main}}", main, StringComparison.Ordinal)
            .Replace("{{scripts}}", scripts.ToString(), StringComparison.Ordinal);
        // The current section's menu link gets aria-current, the others nothing.
        return CurrentMarker().Replace(html, m => m.Groups["name"].Value == nav ? "aria-current=\"page\"" : "");
    }

    private static string ResourceName(string name) => $"Pcrs.WebFront.Pages.Html.{name}.html";

    private static string Read(string name)
    {
        using var stream = typeof(PageRenderer).Assembly.GetManifestResourceStream(ResourceName(name))
            ?? throw new InvalidOperationException($"Page '{name}' is not embedded.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    [GeneratedRegex(@"^<!--(?<key>\w+):(?<value>[^\r\n]*?)-->\r?\n", RegexOptions.Multiline | RegexOptions.ExplicitCapture | RegexOptions.NonBacktracking)]
    private static partial Regex MetaLine();

    [GeneratedRegex(@"\{\{current:(?<name>\w+)\}\}", RegexOptions.ExplicitCapture | RegexOptions.NonBacktracking)]
    private static partial Regex CurrentMarker();
}
