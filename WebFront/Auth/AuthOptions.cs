using System.ComponentModel.DataAnnotations;

namespace Pcrs.WebFront.Auth;

/// <summary>The "Auth" configuration section.</summary>
public sealed class AuthOptions : IValidatableObject
{
    public const string SectionName = "Auth";

    /// <summary>
    /// Hex SHA-256 hashes of the administrator tokens (environment: Auth__AdminTokenHashes__0, …). Tokens themselves are
    /// never in configuration, so a leaked settings file does not grant access.
    /// </summary>
    public List<string> AdminTokenHashes { get; set; } = [];

    /// <summary>
    /// Unknown bearer tokens one client address may present per minute before its tokens are refused with 429 until the
    /// minute ends (see <see cref="AuthFailureThrottle"/>); 0 turns the bound off.
    /// </summary>
    [Range(0, 1_000_000)]
    public int FailedAttemptsPerMinute { get; set; } = 30;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        for (int i = 0; i < AdminTokenHashes.Count; i++)
        {
            var hash = AdminTokenHashes[i];
            if (hash is null || hash.Length != 64 || !hash.All(char.IsAsciiHexDigit))
                yield return new ValidationResult(
                    $"Auth:AdminTokenHashes:{i} must be the hex SHA-256 of a token (64 hexadecimal characters).",
                    [nameof(AdminTokenHashes)]);
        }
    }
}
