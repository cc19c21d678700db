using Npgsql;
using Pcrs.TestSupport;

namespace Pcrs.WebFront.Tests.Trust;

/// <summary>
/// deploy/sql 0110 and 0203 on a database as the released scripts left it: every declaration keeps its owner's own
/// login as its one encrypted copy (to be proven again), the storage's shared copy and the web front's table are gone.
/// </summary>
public sealed class DeclarationMigrationTests
{
    [Fact]
    public async Task Existing_declarations_move_to_their_owner_with_one_cipher_text_each()
    {
        string name = "trust_mig_" + Guid.NewGuid().ToString("N")[..10];
        await using (var admin = new NpgsqlConnection(Peers.PostgresAdminConnectionString()))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", admin);
            await create.ExecuteNonQueryAsync();
        }
        try
        {
            await using var connection = new NpgsqlConnection(Peers.PostgresAdminConnectionString(name));
            await connection.OpenAsync();
            var scripts = Directory.GetFiles(Path.Combine(WebFrontFixture.RepositoryRoot(), "deploy", "sql"), "*.sql").Order(StringComparer.Ordinal).ToList();
            foreach (var script in scripts.Where(s => string.CompareOrdinal(Path.GetFileName(s), "0110") < 0 || Path.GetFileName(s).StartsWith("020", StringComparison.Ordinal) && string.CompareOrdinal(Path.GetFileName(s), "0203") < 0))
                await ExecuteAsync(connection, await File.ReadAllTextAsync(script));

            // Two deliverables on one storage as the old code wrote them: the storage holds the latest declaration's
            // secret (project 2's wrong one), each web-front declaration its owner's own.
            var d1 = Guid.NewGuid();
            var d2 = Guid.NewGuid();
            await ExecuteAsync(connection, $$"""
                INSERT INTO pcrs_projects (id, name, document, editor_key_hash) VALUES ('{{d1}}', 'p1', '{}', 'h1'), ('{{d2}}', 'p2', '{}', 'h2');
                INSERT INTO pcrs_deliverables (id, project_id, position, document) VALUES ('{{d1}}', '{{d1}}', 0, '{}'), ('{{d2}}', '{{d2}}', 0, '{}');
                INSERT INTO pcrs_storages (storage_key, scheme, host, port, user_name, protected_secret, trust_pins)
                    VALUES ('sftp://u@h:22', 'sftp', 'h', 22, 'u', 'CIPHER-OF-WRONG', '{SHA256:pin-of-p2}');
                INSERT INTO pcrs_storage_attachments (deliverable_id, storage_key, start_path, public_connection, download_allowed)
                    VALUES ('{{d1}}', 'sftp://u@h:22', '/ortho2024', false, true), ('{{d2}}', 'sftp://u@h:22', '/', false, true);
                INSERT INTO pcrs_storage_declarations (deliverable_id, storage_identity, kind, location, start_path, tls, user_name,
                    protected_password, public_connection, download_allowed, rescan_days, trust)
                    VALUES ('{{d1}}', 'sftp://u@h:22', 'sftp', 'sftp://u@h:22/ortho2024', '/ortho2024', NULL, 'u', 'CIPHER-OF-RIGHT', false, true, 7, '{}'),
                           ('{{d2}}', 'sftp://u@h:22', 'sftp', 'sftp://u@h:22/', '/', NULL, 'u', 'CIPHER-OF-WRONG', false, true, NULL, '{SHA256:pin-of-p2}');
                """);
            foreach (var script in scripts.Where(s => Path.GetFileName(s).StartsWith("0110", StringComparison.Ordinal) || Path.GetFileName(s).StartsWith("0203", StringComparison.Ordinal)))
                await ExecuteAsync(connection, await File.ReadAllTextAsync(script));

            var rows = new Dictionary<string, (string Scheme, string? Secret, string[] Pins, int? Days, string State)>();
            await using (var read = new NpgsqlCommand(
                "SELECT deliverable_id, scheme, protected_secret, trust_pins, rescan_days, state FROM pcrs_storage_attachments", connection))
            await using (var reader = await read.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                    rows[reader.GetString(0)] = (reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetFieldValue<string[]>(3),
                        reader.IsDBNull(4) ? null : reader.GetInt32(4), reader.GetString(5));
            }
            var own = rows[d1.ToString()];
            Assert.Equal(("sftp", "CIPHER-OF-RIGHT", (int?)7), (own.Scheme, own.Secret, own.Days));
            Assert.Empty(own.Pins);
            Assert.Equal("CIPHER-OF-WRONG", rows[d2.ToString()].Secret);
            Assert.Equal(["SHA256:pin-of-p2"], rows[d2.ToString()].Pins);
            Assert.All(rows.Values, r => Assert.Equal("verifying", r.State));
            Assert.Equal(0L, await ScalarAsync(connection,
                "SELECT count(*) FROM information_schema.columns WHERE table_name = 'pcrs_storages' AND column_name IN ('protected_secret', 'trust_pins')"));
            Assert.Equal(0L, await ScalarAsync(connection, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'pcrs_storage_declarations'"));

            // Run again by hand: harmless.
            foreach (var script in scripts.Where(s => Path.GetFileName(s).StartsWith("0110", StringComparison.Ordinal) || Path.GetFileName(s).StartsWith("0203", StringComparison.Ordinal)))
                await ExecuteAsync(connection, await File.ReadAllTextAsync(script));
            Assert.Equal(2L, await ScalarAsync(connection, "SELECT count(*) FROM pcrs_storage_attachments WHERE protected_secret IS NOT NULL"));
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await using var admin = new NpgsqlConnection(Peers.PostgresAdminConnectionString());
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", admin);
            await drop.ExecuteNonQueryAsync();
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<long> ScalarAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
