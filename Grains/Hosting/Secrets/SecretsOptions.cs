using Pcrs.Grains.Hosting.Postgres;

namespace Pcrs.Grains.Hosting.Secrets;

/// <summary>Where the key that encrypts the Data Protection key ring lives (configuration section "Secrets").</summary>
public sealed class SecretsOptions
{
    public const string Section = "Secrets";

    /// <summary>
    /// File holding the key-encryption key (base64 of 32 random bytes, mode 600). Default: <c>key-encryption.key</c> in the
    /// embedded database's data folder (<c>Database:DataDirectory</c>), which every process on one machine shares. Created
    /// on first start when missing. Every process of a deployment must read the same key: copy the file to each machine.
    /// </summary>
    public string? KeyFile { get; set; }

    public string ResolveKeyFile(EmbeddedPostgresOptions database) =>
        !string.IsNullOrWhiteSpace(KeyFile)
            ? Path.GetFullPath(KeyFile)
            : Path.Combine(database.ResolveDataDirectory(), "key-encryption.key");
}
