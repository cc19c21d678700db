using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.Extensions.DependencyInjection;

namespace Pcrs.Grains.Hosting.Secrets;

/// <summary>
/// Reverses <see cref="KeyRingXmlEncryptor"/>. Data Protection creates decryptors by type name with the application's
/// service provider, hence the constructor shape.
/// </summary>
public sealed class KeyRingXmlDecryptor(IServiceProvider services) : IXmlDecryptor
{
    private readonly KeyEncryptionKey _key = services.GetRequiredService<KeyEncryptionKey>();

    public XElement Decrypt(XElement encryptedElement)
    {
        ArgumentNullException.ThrowIfNull(encryptedElement);
        if (encryptedElement.Name != KeyRingXmlEncryptor.ElementName || (string?)encryptedElement.Attribute("version") != "1")
        {
            throw new CryptographicException($"Unknown encrypted key ring element <{encryptedElement.Name}>.");
        }

        string? keyFingerprint = (string?)encryptedElement.Attribute("key");
        if (keyFingerprint != _key.Fingerprint)
        {
            throw new CryptographicException(
                $"The Data Protection key ring was encrypted with key-encryption key {keyFingerprint}, but {_key.Path} holds " +
                $"key {_key.Fingerprint}. Every process of a deployment must use the same key file (setting Secrets:KeyFile).");
        }

        try
        {
            byte[] nonce = Convert.FromBase64String((string?)encryptedElement.Attribute("nonce") ?? "");
            byte[] tag = Convert.FromBase64String((string?)encryptedElement.Attribute("tag") ?? "");
            byte[] ciphertext = Convert.FromBase64String(encryptedElement.Value);
            byte[] plaintext = _key.Decrypt(ciphertext, nonce, tag, KeyRingXmlEncryptor.AssociatedData);
            return XElement.Parse(Encoding.UTF8.GetString(plaintext));
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or System.Xml.XmlException)
        {
            throw new CryptographicException("A Data Protection key ring element is damaged and cannot be decrypted.", ex);
        }
    }
}
