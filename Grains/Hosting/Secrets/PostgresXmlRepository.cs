using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Npgsql;

namespace Pcrs.Grains.Hosting.Secrets;

/// <summary>
/// Keeps the Data Protection key ring in the data_protection_keys table (migration 0002) so every process of the
/// deployment uses the same keys and they survive restarts. The interface is synchronous by design of the key manager.
/// </summary>
public sealed class PostgresXmlRepository(NpgsqlDataSource dataSource) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        var elements = new List<XElement>();
        using NpgsqlCommand command = dataSource.CreateCommand(
            "SELECT xml FROM data_protection_keys ORDER BY created_at, friendly_name");
        using NpgsqlDataReader reader = command.ExecuteReader();
        while (reader.Read())
        {
            elements.Add(XElement.Parse(reader.GetString(0)));
        }

        return elements;
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        ArgumentNullException.ThrowIfNull(element);

        // Two processes may create a key at the same moment; both keys are valid, so a name clash simply keeps the first.
        string name = string.IsNullOrWhiteSpace(friendlyName) ? $"element-{Guid.NewGuid():N}" : friendlyName;
        using NpgsqlCommand command = dataSource.CreateCommand(
            "INSERT INTO data_protection_keys (friendly_name, xml) VALUES (@name, @xml) ON CONFLICT (friendly_name) DO NOTHING");
        command.Parameters.AddWithValue("name", name);
        command.Parameters.AddWithValue("xml", element.ToString(SaveOptions.DisableFormatting));
        command.ExecuteNonQuery();
    }
}
