using Pcrs.Grains.Hosting.Secrets;

namespace Pcrs.Grains.Scanning;

/// <summary>Storage passwords protected with the deployment's shared key ring, so any silo can decrypt what another stored.</summary>
public sealed class KeyRingSecretProtector(ISecretProtector keyRing) : IStorageSecretProtector
{
    public string Protect(string plaintext) => keyRing.Protect(plaintext);

    public string Unprotect(string protectedText) => keyRing.Unprotect(protectedText);
}
