namespace Pcrs.WebFront.Hosting;

/// <summary>
/// Where the web front finds its pages and settings. A published install keeps them beside its binaries, so a service
/// manager may start it from any working directory; ASP.NET Core's default (the working directory) then serves nothing.
/// </summary>
public static class WebFrontContentRoot
{
    /// <summary>
    /// The application's base directory when it holds the pages (a published install); null keeps ASP.NET Core's
    /// default: an explicit <c>--contentRoot</c> or its environment variables, else the working directory (`dotnet run`,
    /// whose pages come from the project folder).
    /// </summary>
    public static string? Choose(string[] args, string baseDirectory)
    {
        ArgumentNullException.ThrowIfNull(args);
        bool explicitRoot = args.Any(a => a.TrimStart('-', '/').StartsWith("contentRoot", StringComparison.OrdinalIgnoreCase))
            || Environment.GetEnvironmentVariable("ASPNETCORE_CONTENTROOT") is not null
            || Environment.GetEnvironmentVariable("DOTNET_CONTENTROOT") is not null;
        if (explicitRoot)
            return null;
        return Directory.Exists(Path.Combine(baseDirectory, "wwwroot")) ? baseDirectory : null;
    }
}
