using Pcrs.WebFront.Auth;
using Pcrs.WebFront.Downloads;

namespace Pcrs.WebFront.Hosting;

/// <summary>The web front's own configuration sections, checked with the shared ones at start (PcrsSettings).</summary>
public static class WebFrontSettings
{
    public static IReadOnlyDictionary<string, Type[]> Sections { get; } = new Dictionary<string, Type[]>(StringComparer.Ordinal)
    {
        [AuthOptions.SectionName] = [typeof(AuthOptions)],
        [DownloadOptions.SectionName] = [typeof(DownloadOptions)],
        [WebFrontOptions.SectionName] = [typeof(WebFrontOptions)],
    };
}
