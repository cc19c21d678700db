using Npgsql;
using NpgsqlTypes;
using Pcrs.Grains.Interfaces.Scanning;

namespace Pcrs.Grains.Catalogue;

/// <summary>Declarations on PostgreSQL (pcrs_storage_attachments, deploy/sql/0110): one row per deliverable, one statement per write.</summary>
public sealed partial class PostgresCatalogue
{
    private const string DeclarationSelect = """
        SELECT a.deliverable_id, a.storage_key, a.scheme, s.host, s.port, a.user_name, a.start_path, a.protected_secret, a.trust_pins,
               a.rescan_days, a.public_connection, a.download_allowed, a.state, a.state_error, a.verified_at, a.revision, a.password_required
        FROM pcrs_storage_attachments a JOIN pcrs_storages s ON s.storage_key = a.storage_key
        """;

    public async Task<DeclarationRow?> GetDeclarationAsync(string deliverableId, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(DeclarationSelect + " WHERE a.deliverable_id = $1");
        command.Parameters.AddWithValue(deliverableId);
        var rows = await ReadDeclarationsAsync(command, cancellationToken);
        return rows.Count == 0 ? null : rows[0];
    }

    public async Task<IReadOnlyList<DeclarationRow>> ListDeclarationsAsync(string storageKey, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(DeclarationSelect + " WHERE a.storage_key = $1 ORDER BY a.deliverable_id");
        command.Parameters.AddWithValue(storageKey);
        return await ReadDeclarationsAsync(command, cancellationToken);
    }

    /// <summary>Declarations of the given deliverables (any state); the web front's one way to them.</summary>
    public async Task<IReadOnlyList<DeclarationRow>> GetDeclarationsAsync(IReadOnlyCollection<string> deliverableIds, CancellationToken cancellationToken)
    {
        if (deliverableIds.Count == 0)
            return [];
        await using var command = dataSource.CreateCommand(DeclarationSelect + " WHERE a.deliverable_id = ANY($1)");
        command.Parameters.Add(new NpgsqlParameter { Value = deliverableIds.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        return await ReadDeclarationsAsync(command, cancellationToken);
    }

    public async Task<long> SaveDeclarationAsync(DeclarationRow declaration, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("""
            INSERT INTO pcrs_storage_attachments (deliverable_id, storage_key, scheme, user_name, start_path, protected_secret, trust_pins,
                rescan_days, public_connection, download_allowed, state, state_error, verified_at, revision, attached_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'verifying', NULL, NULL, 1, now())
            ON CONFLICT (deliverable_id) DO UPDATE SET storage_key = EXCLUDED.storage_key, scheme = EXCLUDED.scheme,
                user_name = EXCLUDED.user_name, start_path = EXCLUDED.start_path, protected_secret = EXCLUDED.protected_secret,
                trust_pins = EXCLUDED.trust_pins, rescan_days = EXCLUDED.rescan_days, public_connection = EXCLUDED.public_connection,
                download_allowed = EXCLUDED.download_allowed, state = 'verifying', state_error = NULL, verified_at = NULL, password_required = false,
                revision = pcrs_storage_attachments.revision + 1, attached_at = now()
            RETURNING revision
            """);
        var p = command.Parameters;
        p.AddWithValue(declaration.DeliverableId);
        p.AddWithValue(declaration.StorageKey);
        p.AddWithValue(declaration.Scheme);
        p.Add(OrNull(declaration.UserName));
        p.AddWithValue(declaration.StartPath);
        p.Add(OrNull(declaration.ProtectedSecret));
        p.AddWithValue(declaration.TrustPins.ToArray());
        p.Add(new NpgsqlParameter { Value = (object?)declaration.RescanDays ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Integer });
        p.AddWithValue(declaration.PublicConnection);
        p.AddWithValue(declaration.DownloadAllowed);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public async Task<bool> SetDeclarationStateAsync(string deliverableId, long revision, DeclarationState state, string? error, bool passwordRequired,
        DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            "UPDATE pcrs_storage_attachments SET state = $3, state_error = $4, verified_at = $5, password_required = $6 WHERE deliverable_id = $1 AND revision = $2");
        command.Parameters.AddWithValue(deliverableId);
        command.Parameters.AddWithValue(revision);
        command.Parameters.AddWithValue(DeclarationStateText.ToText(state));
        command.Parameters.Add(OrNull(error));
        command.Parameters.Add(NullableTime(at));
        command.Parameters.AddWithValue(passwordRequired);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task DeleteDeclarationAsync(string deliverableId, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("DELETE FROM pcrs_storage_attachments WHERE deliverable_id = $1");
        command.Parameters.AddWithValue(deliverableId);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<IReadOnlyList<DeclarationRow>> ReadDeclarationsAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var rows = new List<DeclarationRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new DeclarationRow
            {
                DeliverableId = reader.GetString(0),
                StorageKey = reader.GetString(1),
                Scheme = reader.GetString(2),
                Host = reader.GetString(3),
                Port = reader.GetInt32(4),
                UserName = NullableString(reader, 5),
                StartPath = reader.GetString(6),
                ProtectedSecret = NullableString(reader, 7),
                TrustPins = reader.GetFieldValue<string[]>(8),
                RescanDays = NullableInt(reader, 9),
                PublicConnection = reader.GetBoolean(10),
                DownloadAllowed = reader.GetBoolean(11),
                State = DeclarationStateText.Parse(reader.GetString(12)),
                StateError = NullableString(reader, 13),
                VerifiedAt = NullableTime(reader, 14),
                Revision = reader.GetInt64(15),
                PasswordRequired = reader.GetBoolean(16),
            });
        }
        return rows;
    }
}
