using System.Reflection;
using NetArchTest.Rules;

namespace Pcrs.WebFront.Tests;

/// <summary>
/// The arrows of the design (DESIGN.md, "Rooms") as rules on the compiled assemblies: the byte-level rooms know nothing
/// of grains, and the web front reads the catalogue only through <c>Pcrs.Grains.Catalogue.ICatalogueReader</c>.
/// </summary>
public sealed class ArchitectureTests
{
    private static readonly Assembly Grains = typeof(Pcrs.Grains.Catalogue.ICatalogueReader).Assembly;
    private static readonly Assembly WebFront = typeof(WebFrontExtensions).Assembly;

    [Theory]
    [InlineData("Pcrs.Grains.Storage")]
    [InlineData("Pcrs.Grains.Formats")]
    [InlineData("Pcrs.Grains.Catalogue")]
    public void Protocol_format_and_catalogue_code_knows_no_grains(string room)
    {
        var result = Types.InAssembly(Grains).That().ResideInNamespace(room)
            .ShouldNot().HaveDependencyOnAny("Orleans", "Pcrs.Grains.Scanning", "Pcrs.Grains.Projects")
            .GetResult();
        Assert.True(result.IsSuccessful, $"{room} depends on grains: {string.Join(", ", result.FailingTypeNames ?? [])}");
    }

    [Fact]
    public void Web_front_holds_no_database_access_outside_its_health_check()
    {
        var result = Types.InAssembly(WebFront).That().DoNotResideInNamespace("Pcrs.WebFront.Health")
            .ShouldNot().HaveDependencyOn("Npgsql")
            .GetResult();
        Assert.True(result.IsSuccessful, $"WebFront types using Npgsql: {string.Join(", ", result.FailingTypeNames ?? [])}");
    }

    [Fact]
    public void Web_front_sources_name_no_catalogue_table()
    {
        // SQL in a string escapes the type rules above (a raw ADO.NET command, a Dapper call): the table names must not
        // appear in the web front's code at all.
        string[] tables = ["pcrs_storages", "pcrs_storage_attachments", "pcrs_scans", "pcrs_entries", "pcrs_directories", "pcrs_tiles"];
        var root = Path.Combine(WebFrontFixture.RepositoryRoot(), "WebFront");
        var offenders = Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
            .Where(file => !file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !file.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(file => tables.Where(File.ReadAllText(file).Contains).Select(table => $"{Path.GetRelativePath(root, file)}: {table}"))
            .ToList();
        Assert.Empty(offenders);
    }
}
