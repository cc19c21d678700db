namespace Pcrs.Grains.Catalogue;

/// <summary>The sidecar signature of a tile row whose file could not be read for a storage reason.</summary>
public static class CatalogueRetry
{
    /// <summary>Never matches a listing, so the file is read again at the next scan whatever its size and date.</summary>
    public const string Stamp = "!retry";
}
