namespace Pcrs.WebFront.Tests;

/// <summary>
/// Every test class starts the whole web front (co-hosted silo, Serilog's process-wide bootstrap logger); being in one
/// collection, they start one host at a time instead of racing on those process-wide resources.
/// </summary>
[CollectionDefinition(Name)]
public sealed class WebFrontCollection
{
    public const string Name = "WebFront";
}
