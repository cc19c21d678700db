using System.Collections;
using System.Reflection;

namespace Pcrs.Grains.Hosting.Settings;

/// <summary>
/// What keys a configuration section may hold, read from the options classes bound to it: each public settable property
/// is a key, a list property takes several values, any other class property is a nested section.
/// </summary>
internal sealed class SettingsShape
{
    private readonly Dictionary<string, PropertyInfo> _properties = new(StringComparer.OrdinalIgnoreCase);

    public SettingsShape(IEnumerable<Type> types)
    {
        foreach (var type in types)
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
                if (property.SetMethod is { IsPublic: true } || IsList(property.PropertyType))
                    _properties.TryAdd(property.Name, property);
    }

    public IEnumerable<string> Names => _properties.Keys;

    public bool TryGet(string key, out PropertyInfo property) => _properties.TryGetValue(key, out property!);

    public static bool IsList(Type type) =>
        type != typeof(string) && !IsScalar(type) && typeof(IEnumerable).IsAssignableFrom(type) && !IsDictionary(type);

    public static bool IsScalar(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(TimeSpan)
            || type == typeof(DateTime) || type == typeof(DateTimeOffset) || type == typeof(Uri) || type == typeof(Guid);
    }

    private static bool IsDictionary(Type type) =>
        typeof(IDictionary).IsAssignableFrom(type) ||
        type.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IDictionary<,>));

    /// <summary>The known name closest to <paramref name="key"/> (a likely misspelling), or null when none is close.</summary>
    public string? Closest(string key)
    {
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (var name in _properties.Keys)
        {
            // A shortened or lengthened name (DataDir, AllowedNetwork) counts as close as one typo.
            int distance = name.StartsWith(key, StringComparison.OrdinalIgnoreCase) || key.StartsWith(name, StringComparison.OrdinalIgnoreCase)
                ? 1
                : Distance(key.ToLowerInvariant(), name.ToLowerInvariant());
            if (distance < bestDistance)
                (best, bestDistance) = (name, distance);
        }
        return bestDistance <= Math.Max(2, key.Length / 4) ? best : null;
    }

    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++)
            previous[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1], previous[j]) + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
