using System.Security.Cryptography;
using System.Text;

namespace Pcrs.Grains.Hosting.Secrets;

/// <summary>
/// AES-GCM with a random key that lives only in this process: enough for a one-shot run whose catalogue is in memory,
/// so even a memory dump of the catalogue holds no plaintext password.
/// </summary>
public sealed class EphemeralSecretProtector : ISecretProtector
{
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);

    public string Protect(string plaintext)
    {
        byte[] plain = Encoding.UTF8.GetBytes(plaintext);
        byte[] output = new byte[NonceSize + TagSize + plain.Length];
        var nonce = output.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(nonce, plain, output.AsSpan(NonceSize + TagSize), output.AsSpan(NonceSize, TagSize));
        return Convert.ToBase64String(output);
    }

    public string Unprotect(string protectedText)
    {
        byte[] input;
        try
        {
            input = Convert.FromBase64String(protectedText);
        }
        catch (FormatException e)
        {
            throw new CryptographicException("The protected secret is not valid base64.", e);
        }
        if (input.Length < NonceSize + TagSize)
            throw new CryptographicException("The protected secret is too short.");
        byte[] plain = new byte[input.Length - NonceSize - TagSize];
        using var aes = new AesGcm(_key, TagSize);
        aes.Decrypt(input.AsSpan(0, NonceSize), input.AsSpan(NonceSize + TagSize), input.AsSpan(NonceSize, TagSize), plain);
        return Encoding.UTF8.GetString(plain);
    }
}
