using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Text.Json;

namespace Pcrs.Grains.Hosting.Postgres;

/// <summary>
/// What the application remembers about its own cluster, in "&lt;data dir&gt;/embedded-postgres.json" (mode 600):
/// the generated password of the postgres and pcrs roles, and the last port used.
/// </summary>
[UnsupportedOSPlatform("windows")]
internal sealed record EmbeddedPostgresState(string Password, int Port)
{
    public const string FileName = "embedded-postgres.json";

    public static EmbeddedPostgresState? Read(string dataDirectory)
    {
        string path = Path.Combine(dataDirectory, FileName);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<EmbeddedPostgresState>(File.ReadAllText(path)) is { Password.Length: > 0 } state
                ? state
                : null;
        }
        catch (JsonException ex)
        {
            throw new EmbeddedPostgresException($"{path} is damaged; delete the data folder to start afresh.", ex);
        }
    }

    public void Write(string dataDirectory)
    {
        string path = Path.Combine(dataDirectory, FileName);
        var options = new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        };
        using var stream = new FileStream(path, options);
        JsonSerializer.Serialize(stream, this);
    }

    /// <summary>A password made of hex digits only, so it never needs quoting in SQL or in a connection string.</summary>
    public static string NewPassword() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
}
