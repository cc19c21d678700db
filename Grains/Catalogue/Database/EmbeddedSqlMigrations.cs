using System.Reflection;

namespace Pcrs.Grains.Catalogue.Database;

/// <summary>
/// The deploy/sql/*.sql scripts, compiled into this assembly as resources named "Pcrs.Sql.&lt;file name&gt;"
/// (see Grains.csproj), so every host carries exactly the schema its code expects.
/// </summary>
public static class EmbeddedSqlMigrations
{
    public const string ResourcePrefix = "Pcrs.Sql.";

    private static readonly Lazy<IReadOnlyList<SqlMigration>> Loaded = new(Load);

    /// <summary>All scripts, ordered by version.</summary>
    public static IReadOnlyList<SqlMigration> All => Loaded.Value;

    private static IReadOnlyList<SqlMigration> Load()
    {
        Assembly assembly = typeof(EmbeddedSqlMigrations).Assembly;
        var migrations = new List<SqlMigration>();
        foreach (string resource in assembly.GetManifestResourceNames())
        {
            if (!resource.StartsWith(ResourcePrefix, StringComparison.Ordinal) ||
                !resource.EndsWith(".sql", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            using Stream stream = assembly.GetManifestResourceStream(resource)
                ?? throw new InvalidOperationException($"Resource {resource} vanished.");
            using var reader = new StreamReader(stream);
            migrations.Add(SqlMigration.FromScript(resource[ResourcePrefix.Length..], reader.ReadToEnd()));
        }

        return Ordered(migrations);
    }

    /// <summary>Sorts by version and refuses two scripts claiming the same version.</summary>
    public static IReadOnlyList<SqlMigration> Ordered(IEnumerable<SqlMigration> migrations)
    {
        var ordered = migrations.OrderBy(m => m.Version).ToList();
        for (int i = 1; i < ordered.Count; i++)
        {
            if (ordered[i].Version == ordered[i - 1].Version)
            {
                throw new InvalidOperationException(
                    $"Two migration scripts share version {ordered[i].Version}: {ordered[i - 1].Name} and {ordered[i].Name}.");
            }
        }

        return ordered;
    }
}
