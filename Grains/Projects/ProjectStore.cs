using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace Pcrs.Grains.Projects;

/// <summary>A project as stored, with its deliverables in order and their storage declarations.</summary>
public sealed record StoredProject(
    Guid Id,
    ProjectDocument Document,
    IReadOnlyList<StoredDeliverable> Deliverables,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

public sealed record StoredDeliverable(Guid Id, Guid ProjectId, DeliverableDocument Document, DeclaredStorage? Storage);

/// <summary>A project's last change: "created", "updated" or "deleted" (a deleted project's name is not kept in the answer).</summary>
public sealed record ProjectChange(Guid Id, string? Name, string Action, DateTimeOffset At);

/// <summary>A storage event of a deliverable: "storage_revoked", "storage_replaced" or "deliverable_removed".</summary>
public sealed record DeliverableEvent(long Id, Guid ProjectId, Guid DeliverableId, string Kind, string? StorageKind, DateTimeOffset At);

/// <summary>Counts and latest times of the project tables: equal versions mean equal project-side exports.</summary>
public sealed record ProjectsVersion(long Projects, long Deleted, DateTimeOffset? LastChange, long Declarations, DateTimeOffset? LastDeclaration);

/// <summary>Outcome of a full project update.</summary>
public enum ProjectUpdateOutcome
{
    Updated,
    ProjectNotFound,
    /// <summary>A deliverable id in the body does not belong to the project.</summary>
    UnknownDeliverable,
}

public sealed record ProjectUpdateResult(
    ProjectUpdateOutcome Outcome,
    int UnknownDeliverableIndex = -1,
    IReadOnlyList<DeclaredStorage>? RemovedStorages = null);

/// <summary>
/// PostgreSQL persistence of projects, deliverables and storage declarations (tables of deploy/sql/0200_projects.sql).
/// Plain Npgsql, no Orleans types, so the web front and the project grains can both use it.
/// </summary>
public sealed class ProjectStore(NpgsqlDataSource dataSource)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<IReadOnlyList<Guid>> CreateAsync(
        Guid id, ProjectDocument document, IReadOnlyList<DeliverableDocument> deliverables, string editorKeyHash,
        CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var insert = new NpgsqlCommand(
            "INSERT INTO pcrs_projects (id, name, document, editor_key_hash) VALUES ($1, $2, $3, $4)", connection, transaction))
        {
            insert.Parameters.Add(new() { Value = id });
            insert.Parameters.Add(new() { Value = document.Name });
            insert.Parameters.Add(new() { Value = JsonSerializer.Serialize(document, Json), NpgsqlDbType = NpgsqlDbType.Jsonb });
            insert.Parameters.Add(new() { Value = editorKeyHash });
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
        var ids = new List<Guid>(deliverables.Count);
        for (int i = 0; i < deliverables.Count; i++)
        {
            var deliverableId = Guid.CreateVersion7();
            await UpsertDeliverableAsync(connection, transaction, deliverableId, id, i, deliverables[i], cancellationToken);
            ids.Add(deliverableId);
        }
        await transaction.CommitAsync(cancellationToken);
        return ids;
    }

    /// <summary>Projects that are not deleted, oldest first, without their deliverables.</summary>
    public async Task<IReadOnlyList<(Guid Id, ProjectDocument Document)>> ListAsync(CancellationToken cancellationToken)
    {
        var result = new List<(Guid, ProjectDocument)>();
        await using var command = dataSource.CreateCommand(
            "SELECT id, document FROM pcrs_projects WHERE deleted_at IS NULL ORDER BY created_at, id");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            result.Add((reader.GetGuid(0), Deserialize<ProjectDocument>(reader.GetString(1))));
        return result;
    }

    /// <summary>A project that is not deleted, with its deliverables and storage declarations; null when absent or deleted.</summary>
    public async Task<StoredProject?> GetAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        ProjectDocument document;
        DateTimeOffset created, updated;
        await using (var command = new NpgsqlCommand(
            "SELECT document, created_at, updated_at FROM pcrs_projects WHERE id = $1 AND deleted_at IS NULL", connection))
        {
            command.Parameters.Add(new() { Value = id });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
                return null;
            document = Deserialize<ProjectDocument>(reader.GetString(0));
            created = reader.GetFieldValue<DateTimeOffset>(1);
            updated = reader.GetFieldValue<DateTimeOffset>(2);
        }
        var deliverables = new List<StoredDeliverable>();
        await using (var command = new NpgsqlCommand(
            $"SELECT d.id, d.document, {DeclarationColumns} FROM pcrs_deliverables d " +
            "LEFT JOIN pcrs_storage_declarations s ON s.deliverable_id = d.id WHERE d.project_id = $1 ORDER BY d.position", connection))
        {
            command.Parameters.Add(new() { Value = id });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                deliverables.Add(new StoredDeliverable(
                    reader.GetGuid(0), id, Deserialize<DeliverableDocument>(reader.GetString(1)), ReadDeclaration(reader, 2)));
            }
        }
        return new StoredProject(id, document, deliverables, created, updated);
    }

    /// <summary>
    /// Replaces the project document and its deliverables: entries with an id update that deliverable, entries without
    /// get a new id, deliverables missing from the list are removed together with their storage declarations.
    /// </summary>
    public async Task<ProjectUpdateResult> UpdateAsync(
        Guid id, ProjectDocument document, IReadOnlyList<DeliverableEntry> deliverables, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var update = new NpgsqlCommand(
            "UPDATE pcrs_projects SET name = $2, document = $3, updated_at = now() WHERE id = $1 AND deleted_at IS NULL",
            connection, transaction))
        {
            update.Parameters.Add(new() { Value = id });
            update.Parameters.Add(new() { Value = document.Name });
            update.Parameters.Add(new() { Value = JsonSerializer.Serialize(document, Json), NpgsqlDbType = NpgsqlDbType.Jsonb });
            if (await update.ExecuteNonQueryAsync(cancellationToken) == 0)
                return new ProjectUpdateResult(ProjectUpdateOutcome.ProjectNotFound);
        }

        var existing = new HashSet<Guid>();
        await using (var select = new NpgsqlCommand(
            "SELECT id FROM pcrs_deliverables WHERE project_id = $1 FOR UPDATE", connection, transaction))
        {
            select.Parameters.Add(new() { Value = id });
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                existing.Add(reader.GetGuid(0));
        }

        var kept = new List<Guid>();
        for (int i = 0; i < deliverables.Count; i++)
        {
            if (deliverables[i].Id is { } given && !existing.Contains(given))
                return new ProjectUpdateResult(ProjectUpdateOutcome.UnknownDeliverable, i);
            var deliverableId = deliverables[i].Id ?? Guid.CreateVersion7();
            kept.Add(deliverableId);
            await UpsertDeliverableAsync(connection, transaction, deliverableId, id, i, deliverables[i].Document, cancellationToken);
        }

        var removed = new List<DeclaredStorage>();
        var dropped = existing.Except(kept).ToArray();
        if (dropped.Length > 0)
        {
            removed.AddRange(await DeleteDeclarationsAsync(connection, transaction, dropped, "deliverable_removed", cancellationToken));
            await using var delete = new NpgsqlCommand("DELETE FROM pcrs_deliverables WHERE id = ANY($1)", connection, transaction);
            delete.Parameters.Add(new() { Value = dropped });
            await delete.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return new ProjectUpdateResult(ProjectUpdateOutcome.Updated, RemovedStorages: removed);
    }

    /// <summary>Soft-deletes a project and erases its storage declarations (credentials included). Null when absent.</summary>
    public async Task<IReadOnlyList<DeclaredStorage>?> DeleteAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var update = new NpgsqlCommand(
            "UPDATE pcrs_projects SET deleted_at = now() WHERE id = $1 AND deleted_at IS NULL", connection, transaction))
        {
            update.Parameters.Add(new() { Value = id });
            if (await update.ExecuteNonQueryAsync(cancellationToken) == 0)
                return null;
        }
        var deliverables = new List<Guid>();
        await using (var select = new NpgsqlCommand("SELECT id FROM pcrs_deliverables WHERE project_id = $1", connection, transaction))
        {
            select.Parameters.Add(new() { Value = id });
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                deliverables.Add(reader.GetGuid(0));
        }
        var removed = await DeleteDeclarationsAsync(connection, transaction, deliverables.ToArray(), "deliverable_removed", cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return removed;
    }

    /// <summary>The project (not deleted) whose editor key has this hash.</summary>
    public async Task<Guid?> FindProjectByEditorKeyHashAsync(string editorKeyHash, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT id FROM pcrs_projects WHERE editor_key_hash = $1 AND deleted_at IS NULL");
        command.Parameters.Add(new() { Value = editorKeyHash });
        return await command.ExecuteScalarAsync(cancellationToken) is Guid id ? id : null;
    }

    /// <summary>Replaces a live project's editor key (the old one stops working at once); false when there is no such project.</summary>
    public async Task<bool> ReplaceEditorKeyHashAsync(Guid projectId, string editorKeyHash, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "UPDATE pcrs_projects SET editor_key_hash = $2 WHERE id = $1 AND deleted_at IS NULL");
        command.Parameters.Add(new() { Value = projectId });
        command.Parameters.Add(new() { Value = editorKeyHash });
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>A deliverable of a project that is not deleted, with its declaration; null when absent.</summary>
    public async Task<StoredDeliverable?> GetDeliverableAsync(Guid projectId, Guid deliverableId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            $"SELECT d.id, d.document, {DeclarationColumns} FROM pcrs_deliverables d " +
            "JOIN pcrs_projects p ON p.id = d.project_id AND p.deleted_at IS NULL " +
            "LEFT JOIN pcrs_storage_declarations s ON s.deliverable_id = d.id WHERE d.project_id = $1 AND d.id = $2");
        command.Parameters.Add(new() { Value = projectId });
        command.Parameters.Add(new() { Value = deliverableId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
            return null;
        return new StoredDeliverable(reader.GetGuid(0), projectId, Deserialize<DeliverableDocument>(reader.GetString(1)), ReadDeclaration(reader, 2));
    }

    /// <summary>Declares or replaces the storage of a deliverable; returns the declaration it replaced, if any.</summary>
    public async Task<DeclaredStorage?> SaveDeclarationAsync(DeclaredStorage declaration, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var previous = (await DeleteDeclarationsAsync(connection, transaction, [declaration.DeliverableId], "storage_replaced", cancellationToken)).FirstOrDefault();
        await using (var insert = new NpgsqlCommand(
            "INSERT INTO pcrs_storage_declarations (deliverable_id, storage_identity, kind, location, start_path, tls, user_name, " +
            "protected_password, public_connection, download_allowed, rescan_days, trust) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            connection, transaction))
        {
            insert.Parameters.Add(new() { Value = declaration.DeliverableId });
            insert.Parameters.Add(new() { Value = declaration.StorageIdentity });
            insert.Parameters.Add(new() { Value = declaration.Kind });
            insert.Parameters.Add(new() { Value = declaration.Location });
            insert.Parameters.Add(new() { Value = declaration.StartPath });
            insert.Parameters.Add(new() { Value = (object?)declaration.Tls ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            insert.Parameters.Add(new() { Value = (object?)declaration.UserName ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            insert.Parameters.Add(new() { Value = (object?)declaration.ProtectedPassword ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            insert.Parameters.Add(new() { Value = declaration.PublicConnection });
            insert.Parameters.Add(new() { Value = declaration.DownloadAllowed });
            insert.Parameters.Add(new() { Value = (object?)declaration.RescanDays ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Integer });
            insert.Parameters.Add(new() { Value = declaration.Trust.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return previous;
    }

    /// <summary>Revokes a deliverable's storage: the row, and with it the encrypted password, is deleted. Null when none.</summary>
    public async Task<DeclaredStorage?> DeleteDeclarationAsync(Guid deliverableId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var removed = await DeleteDeclarationsAsync(connection, transaction, [deliverableId], "storage_revoked", cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return removed.FirstOrDefault();
    }

    /// <summary>Every declared storage of a live project (exports, home map), with its project and deliverable.</summary>
    public async IAsyncEnumerable<(Guid ProjectId, ProjectDocument Project, StoredDeliverable Deliverable)> ListDeclaredDeliverablesAsync(
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            $"SELECT p.id, p.document, d.id, d.document, {DeclarationColumns} FROM pcrs_storage_declarations s " +
            "JOIN pcrs_deliverables d ON d.id = s.deliverable_id " +
            "JOIN pcrs_projects p ON p.id = d.project_id AND p.deleted_at IS NULL ORDER BY p.created_at, p.id, d.position");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var projectId = reader.GetGuid(0);
            yield return (projectId, Deserialize<ProjectDocument>(reader.GetString(1)),
                new StoredDeliverable(reader.GetGuid(2), projectId, Deserialize<DeliverableDocument>(reader.GetString(3)), ReadDeclaration(reader, 4)));
        }
    }

    /// <summary>Every deliverable of every live project, with its declaration when one exists (livrables.csv).</summary>
    public async IAsyncEnumerable<(Guid ProjectId, ProjectDocument Project, StoredDeliverable Deliverable)> ListDeliverablesAsync(
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            $"SELECT p.id, p.document, d.id, d.document, {DeclarationColumns} FROM pcrs_deliverables d " +
            "JOIN pcrs_projects p ON p.id = d.project_id AND p.deleted_at IS NULL " +
            "LEFT JOIN pcrs_storage_declarations s ON s.deliverable_id = d.id ORDER BY p.created_at, p.id, d.position");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var projectId = reader.GetGuid(0);
            yield return (projectId, Deserialize<ProjectDocument>(reader.GetString(1)),
                new StoredDeliverable(reader.GetGuid(2), projectId, Deserialize<DeliverableDocument>(reader.GetString(3)), ReadDeclaration(reader, 4)));
        }
    }

    /// <summary>
    /// Projects created, updated or deleted at or after <paramref name="since"/>, newest first (changes.csv). A deleted
    /// project comes without its name: the platform's public file named them, which republished what an owner removed.
    /// </summary>
    public async IAsyncEnumerable<ProjectChange> ListChangesAsync(
        DateTimeOffset since, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT id, CASE WHEN deleted_at IS NULL THEN name END, " +
            "CASE WHEN deleted_at IS NOT NULL THEN 'deleted' WHEN updated_at > created_at THEN 'updated' ELSE 'created' END, " +
            "coalesce(deleted_at, updated_at) AS changed_at FROM pcrs_projects " +
            "WHERE coalesce(deleted_at, updated_at) >= $1 ORDER BY changed_at DESC, id");
        command.Parameters.Add(new() { Value = since.ToUniversalTime(), NpgsqlDbType = NpgsqlDbType.TimestampTz });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return new ProjectChange(reader.GetGuid(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetString(2),
                reader.GetFieldValue<DateTimeOffset>(3));
        }
    }

    /// <summary>Storage events of deliverables of live projects (all, or one project's), newest first, at most <paramref name="limit"/>.</summary>
    public async Task<IReadOnlyList<DeliverableEvent>> ListDeliverableEventsAsync(Guid? projectId, int limit, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT e.id, e.project_id, e.deliverable_id, e.kind, e.storage_kind, e.at FROM pcrs_deliverable_events e " +
            "JOIN pcrs_projects p ON p.id = e.project_id AND p.deleted_at IS NULL WHERE ($1::uuid IS NULL OR e.project_id = $1) " +
            "ORDER BY e.at DESC, e.id DESC LIMIT $2");
        command.Parameters.Add(new() { Value = (object?)projectId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid });
        command.Parameters.Add(new() { Value = limit });
        var events = new List<DeliverableEvent>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            events.Add(new DeliverableEvent(reader.GetInt64(0), reader.GetGuid(1), reader.GetGuid(2), reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetFieldValue<DateTimeOffset>(5)));
        }
        return events;
    }

    /// <summary>
    /// What every project-side export depends on, in one row: it changes with any create, update, delete, storage
    /// declaration or revocation (a revocation deletes a row: the count changes). Exports use it in their ETag.
    /// </summary>
    public async Task<ProjectsVersion> GetVersionAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT (SELECT count(*) FROM pcrs_projects), (SELECT count(*) FROM pcrs_projects WHERE deleted_at IS NOT NULL), " +
            "(SELECT max(greatest(updated_at, deleted_at)) FROM pcrs_projects), " +
            "(SELECT count(*) FROM pcrs_storage_declarations), (SELECT max(declared_at) FROM pcrs_storage_declarations)");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new ProjectsVersion(reader.GetInt64(0), reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2),
            reader.GetInt64(3), reader.IsDBNull(4) ? null : reader.GetFieldValue<DateTimeOffset>(4));
    }

    private const string DeclarationColumns =
        "s.deliverable_id, s.storage_identity, s.kind, s.location, s.start_path, s.tls, s.user_name, s.protected_password, " +
        "s.public_connection, s.download_allowed, s.declared_at, s.rescan_days, s.trust";

    private const string DeclarationReturning =
        "deliverable_id, storage_identity, kind, location, start_path, tls, user_name, protected_password, " +
        "public_connection, download_allowed, declared_at, rescan_days, trust";

    private static DeclaredStorage? ReadDeclaration(NpgsqlDataReader reader, int first)
    {
        if (reader.IsDBNull(first))
            return null;
        return new DeclaredStorage
        {
            DeliverableId = reader.GetGuid(first),
            StorageIdentity = reader.GetString(first + 1),
            Kind = reader.GetString(first + 2),
            Location = reader.GetString(first + 3),
            StartPath = reader.GetString(first + 4),
            Tls = reader.IsDBNull(first + 5) ? null : reader.GetString(first + 5),
            UserName = reader.IsDBNull(first + 6) ? null : reader.GetString(first + 6),
            ProtectedPassword = reader.IsDBNull(first + 7) ? null : reader.GetString(first + 7),
            PublicConnection = reader.GetBoolean(first + 8),
            DownloadAllowed = reader.GetBoolean(first + 9),
            DeclaredAt = reader.GetFieldValue<DateTimeOffset>(first + 10),
            RescanDays = reader.IsDBNull(first + 11) ? null : reader.GetInt32(first + 11),
            Trust = reader.GetFieldValue<string[]>(first + 12),
        };
    }

    private static async Task<IReadOnlyList<DeclaredStorage>> DeleteDeclarationsAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, Guid[] deliverableIds, string eventKind, CancellationToken cancellationToken)
    {
        var removed = new List<DeclaredStorage>();
        if (deliverableIds.Length == 0)
            return removed;
        // The change feed's record of it, in the same transaction: the declaration row is about to go.
        await using (var record = new NpgsqlCommand(
            "INSERT INTO pcrs_deliverable_events (project_id, deliverable_id, kind, storage_kind) " +
            "SELECT d.project_id, d.id, $2, s.kind FROM pcrs_storage_declarations s JOIN pcrs_deliverables d ON d.id = s.deliverable_id " +
            "WHERE s.deliverable_id = ANY($1)", connection, transaction))
        {
            record.Parameters.Add(new() { Value = deliverableIds });
            record.Parameters.Add(new() { Value = eventKind });
            await record.ExecuteNonQueryAsync(cancellationToken);
        }
        await using var delete = new NpgsqlCommand(
            $"DELETE FROM pcrs_storage_declarations WHERE deliverable_id = ANY($1) RETURNING {DeclarationReturning}", connection, transaction);
        delete.Parameters.Add(new() { Value = deliverableIds });
        await using var reader = await delete.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            removed.Add(ReadDeclaration(reader, 0)!);
        return removed;
    }

    private static async Task UpsertDeliverableAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, Guid id, Guid projectId, int position,
        DeliverableDocument document, CancellationToken cancellationToken)
    {
        await using var upsert = new NpgsqlCommand(
            "INSERT INTO pcrs_deliverables (id, project_id, position, document) VALUES ($1, $2, $3, $4) " +
            "ON CONFLICT (id) DO UPDATE SET position = excluded.position, document = excluded.document", connection, transaction);
        upsert.Parameters.Add(new() { Value = id });
        upsert.Parameters.Add(new() { Value = projectId });
        upsert.Parameters.Add(new() { Value = position });
        upsert.Parameters.Add(new() { Value = JsonSerializer.Serialize(document, Json), NpgsqlDbType = NpgsqlDbType.Jsonb });
        await upsert.ExecuteNonQueryAsync(cancellationToken);
    }

    private static T Deserialize<T>(string json) =>
        JsonSerializer.Deserialize<T>(json, Json) ?? throw new InvalidDataException($"A stored {typeof(T).Name} is empty.");
}
