namespace Pcrs.WebFront.Tests;

/// <summary>
/// Every test class that starts the whole web front (co-hosted silo, Kestrel) belongs here: they run one at a time, so
/// what one test measures of this process (FTP connections counted at the server, managed heap during a download) is
/// not another class's traffic.
/// </summary>
[CollectionDefinition(Name)]
public sealed class WebFrontCollection
{
    public const string Name = "WebFront";
}
