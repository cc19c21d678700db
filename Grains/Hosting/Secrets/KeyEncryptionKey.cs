using System.Security.Cryptography;

namespace Pcrs.Grains.Hosting.Secrets;

/// <summary>
/// The key that encrypts the Data Protection key ring before it is written to PostgreSQL, so that a copy of the database
/// alone (a dump, a backup, a replica) does not decrypt the storage passwords it holds. It lives in a file outside the
/// database; <see cref="Fingerprint"/> names it in the encrypted elements so a mismatch gives a clear error.
/// </summary>
public sealed class KeyEncryptionKey
{
    public const int KeyBytes = 32;

    // A key file is one base64 line; anything much longer is not ours, and must not size a read.
    private const int MaxFileBytes = 1024;

    private readonly byte[] _key;

    private KeyEncryptionKey(byte[] key, string path)
    {
        _key = key;
        Path = path;
        Fingerprint = Convert.ToHexStringLower(SHA256.HashData(key).AsSpan(0, 8));
    }

    /// <summary>The file the key came from (for error messages; never the key itself).</summary>
    public string Path { get; }

    /// <summary>First 8 bytes of the key's SHA-256, hex: identifies the key without revealing it.</summary>
    public string Fingerprint { get; }

    /// <summary>Reads the key file, creating it with a fresh random key when it does not exist.</summary>
    public static KeyEncryptionKey LoadOrCreate(string path)
    {
        if (!File.Exists(path))
        {
            TryCreate(path);
        }

        return Load(path);
    }

    public static KeyEncryptionKey Load(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        if (stream.Length > MaxFileBytes)
        {
            throw new InvalidDataException($"The key-encryption key file {path} is not a key file ({stream.Length} bytes).");
        }

        using var reader = new StreamReader(stream);
        string text = reader.ReadToEnd().Trim();
        byte[] key;
        try
        {
            key = Convert.FromBase64String(text);
        }
        catch (FormatException e)
        {
            throw new InvalidDataException($"The key-encryption key file {path} does not hold base64 text.", e);
        }

        if (key.Length != KeyBytes)
        {
            throw new InvalidDataException($"The key-encryption key file {path} holds {key.Length} bytes, not {KeyBytes}.");
        }

        return new KeyEncryptionKey(key, path);
    }

    public byte[] Encrypt(ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData, out byte[] nonce, out byte[] tag)
    {
        nonce = RandomNumberGenerator.GetBytes(AesGcm.NonceByteSizes.MaxSize);
        tag = new byte[AesGcm.TagByteSizes.MaxSize];
        byte[] ciphertext = new byte[plaintext.Length];
        using var aes = new AesGcm(_key, tag.Length);
        aes.Encrypt(nonce, plaintext, ciphertext, tag, associatedData);
        return ciphertext;
    }

    public byte[] Decrypt(ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> tag, ReadOnlySpan<byte> associatedData)
    {
        byte[] plaintext = new byte[ciphertext.Length];
        using var aes = new AesGcm(_key, tag.Length);
        aes.Decrypt(nonce, ciphertext, tag, plaintext, associatedData);
        return plaintext;
    }

    /// <summary>
    /// Several processes may start together on a fresh machine: each writes a candidate key to its own temporary file
    /// and links it into place only if no key exists yet, so exactly one key wins and nobody reads a half-written file.
    /// </summary>
    private static void TryCreate(string path)
    {
        string directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        string candidate = System.IO.Path.Combine(directory, $".key-encryption.{Guid.NewGuid():N}.tmp");
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using (var writer = new StreamWriter(candidate, options))
            {
                writer.WriteLine(Convert.ToBase64String(RandomNumberGenerator.GetBytes(KeyBytes)));
            }

            // On Unix, a move that must not overwrite is a link + unlink: it fails if another process won the race.
            File.Move(candidate, path, overwrite: false);
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another process created the key first: use theirs.
        }
        finally
        {
            File.Delete(candidate);
        }
    }
}
