using System.Buffers.Binary;
using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.WebUtilities;

namespace Pcrs.Grains.Hosting.Secrets;

/// <summary>
/// <see cref="ISecretProtector"/> on ASP.NET Core Data Protection (authenticated encryption, rotating keys). A secret
/// under a key this process has not read yet (rotated by an operator while it ran) makes it read the key ring again.
/// </summary>
public sealed class DataProtectionSecretProtector(IDataProtectionProvider provider, IKeyManager keys) : ISecretProtector
{
    // The purpose isolates these cipher texts from any other use of the same key ring. Changing it makes every
    // stored secret unreadable, so it is versioned rather than edited.
    private const string Purpose = "Pcrs.Secrets.v1";

    // Data Protection's payload: a 4-byte magic header, then the 16-byte id of the key that protected it.
    private const uint MagicHeader = 0x09F0C9F0;

    // Reading the ring again runs in the background of the next use: wait for it, within bounds.
    private static readonly TimeSpan RefreshWait = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan RefreshPoll = TimeSpan.FromMilliseconds(50);

    private readonly IDataProtector _protector = provider.CreateProtector(Purpose);

    public string Protect(string plaintext)
    {
        ArgumentNullException.ThrowIfNull(plaintext);
        return _protector.Protect(plaintext);
    }

    public string Unprotect(string protectedText)
    {
        ArgumentNullException.ThrowIfNull(protectedText);
        try
        {
            return _protector.Unprotect(protectedText);
        }
        catch (CryptographicException) when (keys is RefreshingKeyManager refreshing && IsUsableUnseenKey(protectedText))
        {
            // Rotated elsewhere since this process read the ring: read it again and retry until the new ring is in use.
            refreshing.Refresh();
            var deadline = DateTime.UtcNow + RefreshWait;
            while (true)
            {
                try
                {
                    return _protector.Unprotect(protectedText);
                }
                catch (CryptographicException) when (DateTime.UtcNow < deadline)
                {
                    Thread.Sleep(RefreshPoll);
                }
            }
        }
    }

    /// <summary>The id of the key that protected <paramref name="protectedText"/>, or null when it is no Data Protection payload.</summary>
    public static Guid? KeyIdOf(string protectedText)
    {
        byte[] payload;
        try
        {
            payload = WebEncoders.Base64UrlDecode(protectedText);
        }
        catch (FormatException)
        {
            return null;
        }
        return payload.Length >= 20 && BinaryPrimitives.ReadUInt32BigEndian(payload) == MagicHeader
            ? new Guid(payload.AsSpan(4, 16))
            : null;
    }

    /// <summary>Whether the secret's key is in the database and not revoked, so reading the ring again can help.</summary>
    private bool IsUsableUnseenKey(string protectedText) =>
        KeyIdOf(protectedText) is { } id && keys.GetAllKeys().Any(k => k.KeyId == id && !k.IsRevoked);
}
