using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Pcrs.WebFront.Territories;

/// <summary>One commune, EPCI or département of the official list (npm @etalab/decoupage-administratif).</summary>
public sealed record Territory(string Id, string Kind, string Code, string Name, string? Context);

/// <summary>
/// The official communes, EPCI and départements, read once from the files the build installs under
/// wwwroot/lib/decoupage-administratif: names for perimeter codes ("commune:57463" → Metz), an accent-insensitive search
/// by name, and which perimeter codes a place touches (itself, what contains it, what it contains), so that a search for
/// a commune finds the projects declared on its EPCI or département and the other way round.
/// </summary>
public sealed class TerritoryIndex
{
    private readonly Dictionary<string, Territory> _byId = new(StringComparer.Ordinal);
    private readonly List<(string Folded, Territory Territory, int Weight)> _searchable = [];
    private readonly Dictionary<string, List<string>> _communeEpcis = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _epciCommunes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _communeDepartement = new(StringComparer.Ordinal);

    public TerritoryIndex(IWebHostEnvironment environment)
    {
        var folder = Path.Combine(environment.WebRootPath ?? Path.Combine(environment.ContentRootPath, "wwwroot"), "lib", "decoupage-administratif");
        if (!Directory.Exists(folder))
            return; // not built yet: names fall back to codes, searches find nothing
        var departements = new Dictionary<string, string>(StringComparer.Ordinal);
        using (var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(folder, "departements.json"))))
        {
            foreach (var d in doc.RootElement.EnumerateArray())
            {
                var code = d.GetProperty("code").GetString()!;
                var name = d.GetProperty("nom").GetString()!;
                departements[code] = name;
                Add(new Territory("departement:" + code, "departement", code, name, code), 3);
            }
        }
        using (var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(folder, "communes.json"))))
        {
            foreach (var c in doc.RootElement.EnumerateArray())
            {
                if (c.GetProperty("type").GetString() != "commune-actuelle")
                    continue;
                var code = c.GetProperty("code").GetString()!;
                var dep = c.TryGetProperty("departement", out var d) ? d.GetString() : null;
                if (dep is not null)
                    _communeDepartement[code] = dep;
                var context = dep is not null && departements.TryGetValue(dep, out var depName) ? $"{depName} ({dep})" : dep;
                long population = c.TryGetProperty("population", out var p) && p.ValueKind == JsonValueKind.Number ? p.GetInt64() : 0;
                Add(new Territory("commune:" + code, "commune", code, c.GetProperty("nom").GetString()!, context),
                    population > 100_000 ? 2 : population > 10_000 ? 1 : 0);
            }
        }
        using (var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(folder, "epci.json"))))
        {
            foreach (var e in doc.RootElement.EnumerateArray())
            {
                var code = e.GetProperty("code").GetString()!;
                var members = e.GetProperty("membres").EnumerateArray().Select(m => m.GetProperty("code").GetString()!).ToList();
                _epciCommunes[code] = members;
                foreach (var member in members)
                {
                    if (!_communeEpcis.TryGetValue(member, out var list))
                        _communeEpcis[member] = list = [];
                    list.Add(code);
                }
                var deps = members.Select(m => _communeDepartement.GetValueOrDefault(m)).OfType<string>().Distinct(StringComparer.Ordinal).Take(3)
                    .Select(dep => departements.TryGetValue(dep, out var n) ? $"{n} ({dep})" : dep);
                Add(new Territory("epci:" + code, "epci", code, e.GetProperty("nom").GetString()!, string.Join(", ", deps)), 2);
            }
        }
    }

    public int Count => _byId.Count;

    private void Add(Territory territory, int weight)
    {
        _byId[territory.Id] = territory;
        _searchable.Add((Fold(territory.Name), territory, weight));
    }

    public Territory? Find(string id) => _byId.GetValueOrDefault(id);

    /// <summary>A perimeter id ("commune:57463") with its official name, or no name when the list does not hold it.</summary>
    public Model.PerimeterName Name(string id)
    {
        if (_byId.TryGetValue(id, out var t))
            return new Model.PerimeterName(id, t.Kind, t.Code, t.Name, t.Context);
        var colon = id.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? new Model.PerimeterName(id, "", id, null, null) : new Model.PerimeterName(id, id[..colon], id[(colon + 1)..], null, null);
    }

    /// <summary>Places whose name starts with the words of <paramref name="query"/> (accents and case ignored), best first.</summary>
    public IReadOnlyList<Territory> Search(string query, int limit)
    {
        var folded = Fold(query);
        if (folded.Length < 2)
            return [];
        return _searchable
            .Select(s => (s.Territory, s.Weight, Rank: s.Folded == folded ? 0 : s.Folded.StartsWith(folded, StringComparison.Ordinal) ? 1
                : s.Folded.Contains(" " + folded, StringComparison.Ordinal) ? 2
                : s.Folded.Contains(folded, StringComparison.Ordinal) ? 3 : 9))
            .Where(r => r.Rank < 9)
            .OrderBy(r => r.Rank).ThenByDescending(r => r.Weight).ThenBy(r => r.Territory.Name, StringComparer.Ordinal)
            .Take(limit).Select(r => r.Territory).ToList();
    }

    /// <summary>The perimeter ids a project may have declared that cover some of <paramref name="id"/>: itself, its EPCI and département, its communes.</summary>
    public IReadOnlySet<string> Touching(string id)
    {
        var result = new HashSet<string>(StringComparer.Ordinal) { id };
        var colon = id.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
            return result;
        var (kind, code) = (id[..colon], id[(colon + 1)..]);
        switch (kind)
        {
            case "commune":
                foreach (var epci in _communeEpcis.GetValueOrDefault(code) ?? [])
                    result.Add("epci:" + epci);
                if (_communeDepartement.TryGetValue(code, out var dep))
                    result.Add("departement:" + dep);
                break;
            case "epci":
                foreach (var commune in _epciCommunes.GetValueOrDefault(code) ?? [])
                {
                    result.Add("commune:" + commune);
                    if (_communeDepartement.TryGetValue(commune, out var d))
                        result.Add("departement:" + d);
                }
                break;
            case "departement":
                foreach (var (commune, d) in _communeDepartement)
                {
                    if (d != code)
                        continue;
                    result.Add("commune:" + commune);
                    foreach (var epci in _communeEpcis.GetValueOrDefault(commune) ?? [])
                        result.Add("epci:" + epci);
                }
                break;
        }
        return result;
    }

    /// <summary>Lower case, accents removed, apostrophes and dashes as spaces: "Saint-Étienne" → "saint etienne".</summary>
    public static string Fold(string text)
    {
        var decomposed = text.Normalize(NormalizationForm.FormD);
        var builder = new StringBuilder(decomposed.Length);
        foreach (var c in decomposed)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark)
                continue;
            builder.Append(c is '\'' or '’' or '-' ? ' ' : char.ToLowerInvariant(c));
        }
        return string.Join(' ', builder.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }
}
