using Pcrs.Grains.Interfaces.Scanning;
using System.Globalization;
using System.Text;
using System.Xml;
using Pcrs.Grains.Catalogue;
using Pcrs.Grains.Projects;
using Pcrs.WebFront.Metadata;
using Pcrs.WebFront.Projects;

namespace Pcrs.WebFront.Feeds;

/// <summary>
/// The change feed (Atom, RFC 4287), for reusers who follow updates: scans that changed a deliverable (data files
/// read because new or modified, a different number of data files, files in error) or failed, and storages revoked
/// or replaced. Scan counts are the storage's whole scan: deliverables sharing a storage share them.
/// </summary>
public static class ChangeFeed
{
    public const string ContentType = "application/atom+xml";

    /// <summary>Scans looked at per deliverable, and entries kept in the feed.</summary>
    private const int ScansPerDeliverable = 20, MaxEntries = 100;

    private sealed record Entry(string Id, string Title, string Summary, DateTimeOffset Updated, string Link);

    public static async Task<string> BuildAsync(HttpContext http, Guid? projectId, CancellationToken ct)
    {
        var services = http.RequestServices;
        var store = services.GetRequiredService<ProjectStore>();
        var catalogue = services.GetRequiredService<ITileMetadataReader>();
        var b = DeliverableContext.PlatformBase(http.Request);
        var entries = new List<Entry>();
        var names = (await store.ListAsync(ct)).ToDictionary(p => p.Id, p => p.Document.Name);
        // Only deliverables whose own login is proven: a refused or unproven declaration has no scans to show.
        await foreach (var (pid, project, d, storage) in services.GetRequiredService<DeclaredDeliverables>().ListProvenAsync(ct))
        {
            if (projectId is { } only && only != pid)
                continue;
            var label = $"{project.Name} – {d.Document.Name}";
            var link = $"{b}/projects/{pid}";
            var scans = await catalogue.ListRecentScansAsync(storage.StorageKey, ScansPerDeliverable + 1, ct);
            for (int i = 0; i < scans.Count && i < ScansPerDeliverable; i++)
            {
                var scan = scans[i];
                if (scan.FinishedAt is not { } finished)
                    continue;
                var previous = i + 1 < scans.Count ? scans[i + 1] : null;
                long data = scan.Counts.Analysed + scan.Counts.Unchanged;
                long? before = previous is null ? null : previous.Counts.Analysed + previous.Counts.Unchanged;
                string id = $"urn:pcrs:scan:{d.Id}:{scan.ScanNumber}";
                if (scan.Status == ScanStatus.Failed)
                {
                    entries.Add(new Entry(id, $"Analyse échouée : {label}", scan.Error ?? "L'analyse du stockage a échoué.", finished, link));
                    continue;
                }
                if (scan.Counts.Analysed == 0 && before == data && scan.Counts.Errors == 0)
                    continue;
                var summary = new StringBuilder(string.Create(CultureInfo.InvariantCulture,
                    $"{scan.Counts.Analysed} fichiers de données lus (nouveaux ou modifiés), {scan.Counts.Unchanged} inchangés"));
                if (before is { } count && count != data)
                    summary.Append(CultureInfo.InvariantCulture, $" ; {count} → {data} fichiers de données");
                else
                    summary.Append(CultureInfo.InvariantCulture, $" ; {data} fichiers de données");
                if (scan.Counts.Errors > 0)
                    summary.Append(CultureInfo.InvariantCulture, $" ; {scan.Counts.Errors} en erreur");
                entries.Add(new Entry(id, $"Dalles mises à jour : {label}", summary.Append('.').ToString(), finished, link));
            }
        }
        foreach (var e in await store.ListDeliverableEventsAsync(projectId, MaxEntries, ct))
        {
            var project = names.TryGetValue(e.ProjectId, out var name) ? name : "Projet";
            var title = e.Kind switch
            {
                "storage_revoked" => $"Stockage révoqué : {project}",
                "storage_replaced" => $"Stockage remplacé : {project}",
                _ => $"Livrable retiré : {project}",
            };
            var summary = e.Kind switch
            {
                "storage_revoked" => "Le propriétaire a révoqué le stockage : ses dalles ne sont plus diffusées par la plateforme.",
                "storage_replaced" => "Le propriétaire a déclaré un autre stockage ; il sera analysé.",
                _ => "Le livrable a été retiré du projet avec son stockage.",
            };
            entries.Add(new Entry($"urn:pcrs:event:{e.Id}", title, $"{summary} (livrable {e.DeliverableId})", e.At, $"{b}/projects/{e.ProjectId}"));
        }
        var ordered = entries.OrderByDescending(e => e.Updated).ThenBy(e => e.Id, StringComparer.Ordinal).Take(MaxEntries).ToList();
        var self = $"{b}{http.Request.Path}";
        return Write(projectId is null ? "PCRS : mises à jour des livrables" : $"PCRS : mises à jour de {(projectId is { } p && names.TryGetValue(p, out var n) ? n : "projet")}",
            projectId is null ? "urn:pcrs:changes" : $"urn:pcrs:changes:{projectId}", self, ordered);
    }

    private static string Write(string title, string id, string self, List<Entry> entries)
    {
        const string Atom = "http://www.w3.org/2005/Atom";
        static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var text = new StringBuilder();
        using (var x = XmlWriter.Create(text, new XmlWriterSettings { Indent = true }))
        {
            x.WriteStartDocument();
            x.WriteStartElement("feed", Atom);
            x.WriteElementString("title", Atom, title);
            x.WriteElementString("id", Atom, id);
            x.WriteElementString("updated", Atom, Time(entries.Count > 0 ? entries[0].Updated : DateTimeOffset.UnixEpoch));
            x.WriteStartElement("link", Atom);
            x.WriteAttributeString("rel", "self");
            x.WriteAttributeString("type", ContentType);
            x.WriteAttributeString("href", self);
            x.WriteEndElement();
            x.WriteStartElement("author", Atom);
            x.WriteElementString("name", Atom, "Scanner PCRS");
            x.WriteEndElement();
            foreach (var entry in entries)
            {
                x.WriteStartElement("entry", Atom);
                x.WriteElementString("title", Atom, entry.Title);
                x.WriteElementString("id", Atom, entry.Id);
                x.WriteElementString("updated", Atom, Time(entry.Updated));
                x.WriteStartElement("link", Atom);
                x.WriteAttributeString("rel", "alternate");
                x.WriteAttributeString("type", "text/html");
                x.WriteAttributeString("href", entry.Link);
                x.WriteEndElement();
                x.WriteElementString("summary", Atom, entry.Summary);
                x.WriteEndElement();
            }
            x.WriteEndElement();
            x.WriteEndDocument();
        }
        return text.ToString().Replace("encoding=\"utf-16\"", "encoding=\"UTF-8\"", StringComparison.Ordinal);
    }
}
