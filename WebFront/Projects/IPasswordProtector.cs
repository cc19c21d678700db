using Pcrs.Grains.Hosting.Secrets;

namespace Pcrs.WebFront.Projects;

/// <summary>Encrypts storage passwords before they are written to the database, and decrypts them for a connection.</summary>
public interface IPasswordProtector
{
    string Protect(string password);

    string Unprotect(string protectedPassword);
}

/// <summary>
/// The deployment's secret protector (Data Protection, key ring in PostgreSQL shared by every silo and web front), so a
/// download served by any web front can decrypt what another one stored.
/// </summary>
public sealed class SecretPasswordProtector(ISecretProtector secrets) : IPasswordProtector
{
    public string Protect(string password) => secrets.Protect(password);

    public string Unprotect(string protectedPassword) => secrets.Unprotect(protectedPassword);
}
