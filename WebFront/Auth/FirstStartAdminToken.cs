using Pcrs.Grains.Hosting;
using Pcrs.Grains.Hosting.Postgres;

namespace Pcrs.WebFront.Auth;

/// <summary>
/// A deployment started with no administrator configured would accept no write at all (every POST /api/projects: 401).
/// On its first start the web front makes an administrator token instead: shown once on the console and written to
/// <c>admin-token</c> (mode 600) in the data folder, only its SHA-256 kept in PostgreSQL (one row, so every web front of
/// the deployment accepts the same token). Never when Auth:AdminTokenHashes is configured; that list then replaces it.
/// </summary>
public sealed class FirstStartAdminToken
{
    public const string FileName = "admin-token";

    private FirstStartAdminToken(string? hash) => Hash = hash;

    /// <summary>The generated token's hex SHA-256, or null when none applies (an administrator is configured).</summary>
    public string? Hash { get; }

    public static async Task<FirstStartAdminToken> EnsureAsync(
        IConfiguration configuration, PcrsDatabase database, CancellationToken cancellationToken = default)
    {
        var auth = configuration.GetSection(AuthOptions.SectionName).Get<AuthOptions>() ?? new AuthOptions();
        if (auth.AdminTokenHashes.Count > 0)
            return new FirstStartAdminToken(null);

        string token = AccessTokens.NewEditorKey();
        var (stored, hash) = await GeneratedAdminTokenStore.ClaimAsync(database, AccessTokens.Hash(token), cancellationToken);
        if (stored)
            Reveal(configuration, token);
        return new FirstStartAdminToken(hash);
    }

    // The token goes to the console (not through the logging pipeline, whose sinks may be kept) and to a file only its
    // owner can read, so it can be picked up later; the operator deletes the file once the token is stored elsewhere.
    private static void Reveal(IConfiguration configuration, string token)
    {
        var database = configuration.GetSection(EmbeddedPostgresOptions.Section).Get<EmbeddedPostgresOptions>() ?? new EmbeddedPostgresOptions();
        string folder = database.ResolveDataDirectory();
        Directory.CreateDirectory(folder);
        string file = Path.Combine(folder, FileName);
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var writer = new StreamWriter(file, options))
            writer.WriteLine(token);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);

        Console.Out.WriteLine($"""

            ==== First start: no administrator was configured, so one token was made (shown only this once) ====
            Administrator token: {token}
            Also in {file} (mode 600). Use it as:  Authorization: Bearer <token>
            Only its SHA-256 is kept. Configuring Auth__AdminTokenHashes__0 later replaces it.
            ====================================================================================================

            """);
    }
}
