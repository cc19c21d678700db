using Npgsql;

namespace Pcrs.Grains.Catalogue;

/// <summary>One declaration's encrypted password as stored (pcrs_storage_attachments.protected_secret).</summary>
public sealed record StoredSecret(string DeliverableId, string ProtectedSecret);

/// <summary>
/// The encrypted passwords at rest, for re-encrypting them under a new key. Only the cipher text changes, and only
/// when it is still the one read: a declaration written meanwhile (a new password) keeps what its owner wrote.
/// </summary>
public sealed class StoredSecrets(NpgsqlDataSource dataSource)
{
    public async Task<IReadOnlyList<StoredSecret>> ListAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT deliverable_id, protected_secret FROM pcrs_storage_attachments WHERE protected_secret IS NOT NULL ORDER BY deliverable_id");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var secrets = new List<StoredSecret>();
        while (await reader.ReadAsync(cancellationToken))
            secrets.Add(new StoredSecret(reader.GetString(0), reader.GetString(1)));
        return secrets;
    }

    /// <summary>Replaces <paramref name="stored"/>'s cipher text by <paramref name="protectedSecret"/>; false when it changed meanwhile.</summary>
    public async Task<bool> ReplaceAsync(StoredSecret stored, string protectedSecret, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "UPDATE pcrs_storage_attachments SET protected_secret = $3 WHERE deliverable_id = $1 AND protected_secret = $2");
        command.Parameters.AddWithValue(stored.DeliverableId);
        command.Parameters.AddWithValue(stored.ProtectedSecret);
        command.Parameters.AddWithValue(protectedSecret);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }
}
