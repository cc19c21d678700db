using Microsoft.Extensions.Configuration;
using Pcrs.Grains.Formats;
using Pcrs.Grains.Hosting.Postgres;
using Pcrs.Grains.Hosting.Secrets;
using Pcrs.Grains.Scanning;
using Pcrs.Grains.Storage;

namespace Pcrs.Grains.Hosting.Settings;

/// <summary>
/// Checks the product's own configuration sections before anything binds them, so a setting that would bind to nothing
/// stops the start with its name instead of being silently ignored: a misspelled key, a list given as numbered keys where
/// one value is expected. A list setting also accepts one comma-separated value (Scanning__AllowedNetworks=a,b), which the
/// binder alone ignores: it reads only Scanning__AllowedNetworks__0, __1…
/// </summary>
public static class PcrsSettings
{
    /// <summary>The sections of the shared layers and the options classes bound to each. Hosts add their own.</summary>
    public static IReadOnlyDictionary<string, Type[]> SharedSections { get; } = new Dictionary<string, Type[]>(StringComparer.Ordinal)
    {
        [StorageAccessOptions.SectionName] = [typeof(StorageAccessOptions), typeof(ScanningOptions), typeof(TileReaderOptions)],
        [EmbeddedPostgresOptions.Section] = [typeof(EmbeddedPostgresOptions)],
        [SecretsOptions.Section] = [typeof(SecretsOptions)],
    };

    /// <summary>Expands comma-separated lists, then checks every key of the shared sections and <paramref name="hostSections"/>.</summary>
    /// <exception cref="PcrsSettingsException">One line per setting that binds to nothing.</exception>
    public static void Apply(IConfigurationManager configuration, IReadOnlyDictionary<string, Type[]>? hostSections = null)
    {
        var sections = new Dictionary<string, Type[]>(SharedSections, StringComparer.OrdinalIgnoreCase);
        foreach (var (name, types) in hostSections ?? new Dictionary<string, Type[]>(StringComparer.Ordinal))
            sections[name] = sections.TryGetValue(name, out var shared) ? [.. shared, .. types] : types;

        var problems = new List<string>();
        var expanded = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, types) in sections)
            Check(configuration.GetSection(name), new SettingsShape(types), problems, expanded);
        if (problems.Count > 0)
            throw new PcrsSettingsException(problems);
        if (expanded.Count > 0)
            configuration.AddInMemoryCollection(expanded);
    }

    private static void Check(IConfigurationSection section, SettingsShape shape, List<string> problems, Dictionary<string, string?> expanded)
    {
        if (section.Value is not null && section.GetChildren().Any() is false && section.Value.Length > 0)
            problems.Add($"{section.Path} ({Env(section.Path)}) is a section, not a value: set {Env(section.Path)}__<Key> (keys: {string.Join(", ", shape.Names)}).");
        foreach (var child in section.GetChildren())
        {
            if (!shape.TryGet(child.Key, out var property))
            {
                string? closest = shape.Closest(child.Key);
                problems.Add($"Unknown setting {child.Path} ({Env(child.Path)}): " +
                    (closest is null ? $"{section.Path} has {string.Join(", ", shape.Names)}." : $"did you mean {section.Path}:{closest}?"));
                continue;
            }
            bool hasChildren = child.GetChildren().Any();
            if (SettingsShape.IsList(property.PropertyType))
            {
                if (hasChildren && !string.IsNullOrEmpty(child.Value))
                    problems.Add($"{child.Path} is set both as one value and as numbered values ({Env(child.Path)}__0…): keep one form.");
                else if (!hasChildren && !string.IsNullOrWhiteSpace(child.Value))
                    Split(child, expanded);
            }
            else if (SettingsShape.IsScalar(property.PropertyType))
            {
                if (hasChildren)
                    problems.Add($"{child.Path} takes one value, but numbered or nested values were given ({Env(child.Path)}__…).");
            }
            else
            {
                Check(child, new SettingsShape([property.PropertyType]), problems, expanded);
            }
        }
    }

    private static void Split(IConfigurationSection list, Dictionary<string, string?> expanded)
    {
        var items = list.Value!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        for (int i = 0; i < items.Length; i++)
            expanded[$"{list.Path}:{i}"] = items[i];
        expanded[list.Path] = null; // the list is now its numbered form; checking again finds one form only
    }

    private static string Env(string path) => path.Replace(":", "__", StringComparison.Ordinal);
}

/// <summary>Settings that would bind to nothing; the message lists each, one per line.</summary>
public sealed class PcrsSettingsException(IReadOnlyList<string> problems)
    : Exception("Configuration problems:" + Environment.NewLine + "  " + string.Join(Environment.NewLine + "  ", problems))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}
