using Microsoft.AspNetCore.DataProtection;

namespace Pcrs.WebFront.Projects;

/// <summary>Encrypts storage passwords before they are written to the database, and decrypts them for a connection.</summary>
public interface IPasswordProtector
{
    string Protect(string password);

    string Unprotect(string protectedPassword);
}

/// <summary>ASP.NET Core Data Protection with a dedicated purpose, so these payloads cannot be swapped with other protected data.</summary>
public sealed class DataProtectionPasswordProtector(IDataProtectionProvider provider) : IPasswordProtector
{
    private readonly IDataProtector _protector = provider.CreateProtector("Pcrs.WebFront.StoragePasswords.v1");

    public string Protect(string password) => _protector.Protect(password);

    public string Unprotect(string protectedPassword) => _protector.Unprotect(protectedPassword);
}
