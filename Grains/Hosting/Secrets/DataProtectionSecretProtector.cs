using Microsoft.AspNetCore.DataProtection;

namespace Pcrs.Grains.Hosting.Secrets;

/// <summary><see cref="ISecretProtector"/> on ASP.NET Core Data Protection (authenticated encryption, rotating keys).</summary>
public sealed class DataProtectionSecretProtector(IDataProtectionProvider provider) : ISecretProtector
{
    // The purpose isolates these cipher texts from any other use of the same key ring. Changing it makes every
    // stored secret unreadable, so it is versioned rather than edited.
    private const string Purpose = "Pcrs.Secrets.v1";

    private readonly IDataProtector _protector = provider.CreateProtector(Purpose);

    public string Protect(string plaintext)
    {
        ArgumentNullException.ThrowIfNull(plaintext);
        return _protector.Protect(plaintext);
    }

    public string Unprotect(string protectedText)
    {
        ArgumentNullException.ThrowIfNull(protectedText);
        return _protector.Unprotect(protectedText);
    }
}
