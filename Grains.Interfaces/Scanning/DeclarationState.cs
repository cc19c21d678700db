namespace Pcrs.Grains.Interfaces.Scanning;

/// <summary>
/// Where a storage declaration stands. Only a proven declaration is attached to its storage: it shares the crawl and
/// sees its results under its start path. A failed one holds the server's reason and changes nothing for the others.
/// </summary>
[GenerateSerializer, Alias("pcrs.DeclarationState")]
public enum DeclarationState
{
    /// <summary>Declared; a login with its own credentials, TLS mode and trust pins is being tried.</summary>
    Verifying = 0,
    /// <summary>The login succeeded (and still did at the last check).</summary>
    Proven = 1,
    /// <summary>The login was refused, or the server could not be reached to prove it.</summary>
    Failed = 2,
}
