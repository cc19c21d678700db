namespace Pcrs.Grains.Hosting;

/// <summary>
/// The one row of <c>generated_admin_token</c> (migration 0004): the hash of the administrator token a web front made at
/// the deployment's first start. One row at most, so web fronts starting together agree on one token.
/// </summary>
public static class GeneratedAdminTokenStore
{
    /// <summary>
    /// Stores <paramref name="hash"/> unless a token was already made. Returns whether it was stored (the caller then
    /// shows the token) and the hash in force.
    /// </summary>
    public static async Task<(bool Stored, string? Hash)> ClaimAsync(PcrsDatabase database, string hash, CancellationToken ct = default)
    {
        await using (var insert = database.DataSource.CreateCommand(
            "INSERT INTO generated_admin_token (token_hash) VALUES ($1) ON CONFLICT (id) DO NOTHING"))
        {
            insert.Parameters.AddWithValue(hash);
            if (await insert.ExecuteNonQueryAsync(ct).ConfigureAwait(false) == 1)
                return (true, hash);
        }

        await using var select = database.DataSource.CreateCommand("SELECT token_hash FROM generated_admin_token WHERE id = 1");
        return (false, (string?)await select.ExecuteScalarAsync(ct).ConfigureAwait(false));
    }
}
