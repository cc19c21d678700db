using System.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;

namespace Pcrs.Grains.Hosting.Secrets;

/// <summary>
/// Encrypts each Data Protection key element with the <see cref="KeyEncryptionKey"/> (AES-256-GCM) before the key ring
/// repository stores it, so the rows of <c>data_protection_keys</c> hold no usable key material.
/// </summary>
public sealed class KeyRingXmlEncryptor(KeyEncryptionKey key) : IXmlEncryptor
{
    internal static readonly XName ElementName = "pcrsEncryptedKey";

    // Binds the cipher text to its use and format version: an element cannot be replayed as anything else.
    internal static readonly byte[] AssociatedData = Encoding.ASCII.GetBytes("pcrs.data-protection-key-ring.v1");

    public EncryptedXmlInfo Encrypt(XElement plaintextElement)
    {
        ArgumentNullException.ThrowIfNull(plaintextElement);
        byte[] plaintext = Encoding.UTF8.GetBytes(plaintextElement.ToString(SaveOptions.DisableFormatting));
        byte[] ciphertext = key.Encrypt(plaintext, AssociatedData, out byte[] nonce, out byte[] tag);
        var encrypted = new XElement(ElementName,
            new XAttribute("version", 1),
            new XAttribute("key", key.Fingerprint),
            new XAttribute("nonce", Convert.ToBase64String(nonce)),
            new XAttribute("tag", Convert.ToBase64String(tag)),
            Convert.ToBase64String(ciphertext));
        return new EncryptedXmlInfo(encrypted, typeof(KeyRingXmlDecryptor));
    }
}
