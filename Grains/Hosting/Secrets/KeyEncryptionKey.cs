using System.Security.Cryptography;
using System.Text;

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

    // How long a process waits for another one to finish writing the key file it created.
    private static readonly TimeSpan CreationWait = TimeSpan.FromSeconds(10);

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

        // Another process may be writing the file it just created: wait for its whole line, within a bound.
        var deadline = DateTime.UtcNow + CreationWait;
        while (true)
        {
            try
            {
                return Load(path);
            }
            catch (Exception e) when (e is IOException || e is InvalidDataException && IsBeingWritten(path))
            {
                if (DateTime.UtcNow > deadline)
                {
                    throw;
                }

                Thread.Sleep(20);
            }
        }
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
    /// Several processes may start together on a fresh machine: the file is created with O_EXCL (exactly one creator
    /// wins, on every file system) and written under an exclusive lock; the others wait in <see cref="LoadOrCreate"/>
    /// until the line is whole. A rename would not do: .NET's non-overwriting move checks, then renames.
    /// </summary>
    private static void TryCreate(string path)
    {
        string directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using var stream = new FileStream(path, options);
            byte[] line = Encoding.ASCII.GetBytes(Convert.ToBase64String(RandomNumberGenerator.GetBytes(KeyBytes)) + "\n");
            stream.Write(line);
            stream.Flush(flushToDisk: true);
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another process created the key first: use theirs.
        }
    }

    /// <summary>An empty key file is one whose creator has not written its line yet (the line is one write).</summary>
    private static bool IsBeingWritten(string path)
    {
        try
        {
            return new FileInfo(path).Length == 0;
        }
        catch (IOException)
        {
            return false;
        }
    }
}
