namespace Pcrs.Grains.Hosting.Secrets;

/// <summary>
/// Encrypts secrets (storage passwords, keys) before they are written to the database, and decrypts them when read.
/// The key ring lives in PostgreSQL and is shared by every silo and web front of the deployment, so any process can
/// read what another one protected.
/// </summary>
public interface ISecretProtector
{
    /// <summary>Returns an opaque, printable cipher text for <paramref name="plaintext"/>.</summary>
    string Protect(string plaintext);

    /// <summary>
    /// Returns the plain text. Throws <see cref="System.Security.Cryptography.CryptographicException"/> when the text
    /// was tampered with or its key is gone.
    /// </summary>
    string Unprotect(string protectedText);
}
