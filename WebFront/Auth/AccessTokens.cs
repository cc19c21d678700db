using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Pcrs.WebFront.Auth;

/// <summary>Editor keys and the hashing of bearer tokens.</summary>
public sealed class AccessTokens(IOptionsMonitor<AuthOptions> options, FirstStartAdminToken? firstStart = null)
{
    /// <summary>A new editor key: 32 random bytes, URL-safe base64 (43 characters).</summary>
    public static string NewEditorKey() => Base64UrlEncode(RandomNumberGenerator.GetBytes(32));

    /// <summary>Lower-case hex SHA-256 of a token, the only form in which tokens are stored or configured.</summary>
    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>
    /// True when the token's hash is one of Auth:AdminTokenHashes, or, none being configured, the first-start token's
    /// (compared in constant time).
    /// </summary>
    public bool IsAdmin(string tokenHash)
    {
        var candidate = Encoding.ASCII.GetBytes(tokenHash);
        bool match = false;
        IEnumerable<string> admins = options.CurrentValue.AdminTokenHashes;
        if (options.CurrentValue.AdminTokenHashes.Count == 0 && firstStart?.Hash is { } generated)
            admins = [generated]; // no administrator configured: the token made at the first start
        foreach (var configured in admins)
        {
            var expected = Encoding.ASCII.GetBytes(configured.ToLowerInvariant());
            match |= CryptographicOperations.FixedTimeEquals(candidate, expected);
        }
        return match;
    }

    /// <summary>The bearer token of the request, or null when there is none.</summary>
    public static string? ReadBearer(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        const string Scheme = "Bearer ";
        if (!header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
            return null;
        var token = header[Scheme.Length..].Trim();
        return token.Length is > 0 and <= 512 ? token : null;
    }

    private static string Base64UrlEncode(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
