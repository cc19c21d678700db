using Pcrs.Grains.Interfaces.Scanning;

namespace Pcrs.Grains.Catalogue;

/// <summary>A declaration's state as stored (pcrs_storage_attachments.state): the one mapping between the text and the enum.</summary>
public static class DeclarationStateText
{
    public static string ToText(DeclarationState state) => state switch
    {
        DeclarationState.Proven => "proven",
        DeclarationState.Failed => "failed",
        _ => "verifying",
    };

    /// <summary>Unknown text reads as verifying: the StorageGrain proves it again, nothing is shown meanwhile.</summary>
    public static DeclarationState Parse(string text) => text switch
    {
        "proven" => DeclarationState.Proven,
        "failed" => DeclarationState.Failed,
        _ => DeclarationState.Verifying,
    };
}
