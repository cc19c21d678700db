using System.Globalization;
using System.Text;
using System.Xml;
using Pcrs.Grains.Projects;

namespace Pcrs.WebFront.Metadata;

/// <summary>
/// The ISO 19139 / INSPIRE metadata record of a deliverable, following the CNIG metadata guidance for datasets:
/// title, abstract, responsible parties from the project's actors (organisation name and, when the actor has one, the
/// e-mail address INSPIRE requires of each responsible organisation), language as gmd:LanguageCode "fre", extent in
/// WGS84 and in time (the acquisition day the owner declared, else "before the delivery day"), CRS as an EPSG anchor,
/// ground resolution, dates, the INSPIRE theme Ortho-imagery (GEMET anchor), public
/// access constraints (the INSPIRE noLimitations anchor when the licence is open), licence, distribution links, lineage,
/// and conformity to regulation 1089/2010 reported as not evaluated (the scan cannot judge it), beside the PCRS
/// raster profile's result from the conformity report.
/// </summary>
public static class Iso19139Record
{
    private const string Gmd = "http://www.isotc211.org/2005/gmd";
    private const string Gco = "http://www.isotc211.org/2005/gco";
    private const string Gmx = "http://www.isotc211.org/2005/gmx";
    private const string Xlink = "http://www.w3.org/1999/xlink";
    private const string Gml = "http://www.opengis.net/gml/3.2";
    private const string Xsi = "http://www.w3.org/2001/XMLSchema-instance";
    private const string CodeLists = "http://standards.iso.org/iso/19139/resources/gmxCodelists.xml";

    public const string Regulation1089 =
        "Règlement (UE) n° 1089/2010 de la Commission du 23 novembre 2010 portant modalités d'application de la directive 2007/2/CE " +
        "du Parlement européen et du Conseil en ce qui concerne l'interopérabilité des séries et des services de données géographiques";

    /// <summary>Links written in the distribution section: (URL, protocol, name, description).</summary>
    public sealed record Link(string Url, string Protocol, string Name, string Description);

    public static string Write(DeliverableContext context, bool? pcrsConform, DateTimeOffset? scannedAt, double? resolution, IReadOnlyList<Link> links)
    {
        var document = context.Deliverable.Document;
        var extent = context.Aggregate!.Extent!.Value;
        var text = new StringBuilder();
        using (var x = XmlWriter.Create(text, new XmlWriterSettings { Indent = true, Encoding = Encoding.UTF8 }))
        {
            x.WriteStartDocument();
            x.WriteStartElement("gmd", "MD_Metadata", Gmd);
            x.WriteAttributeString("xmlns", "gco", null, Gco);
            x.WriteAttributeString("xmlns", "gmx", null, Gmx);
            x.WriteAttributeString("xmlns", "xlink", null, Xlink);
            x.WriteAttributeString("xmlns", "gml", null, Gml);
            x.WriteAttributeString("xmlns", "xsi", null, Xsi);
            x.WriteAttributeString("xsi", "schemaLocation", Xsi, "http://www.isotc211.org/2005/gmd http://schemas.opengis.net/csw/2.0.2/profiles/apiso/1.0.0/apiso.xsd");

            Element(x, "fileIdentifier", () => CharacterString(x, context.Deliverable.Id.ToString()));
            Element(x, "language", () => Language(x));
            Element(x, "characterSet", () => Code(x, "MD_CharacterSetCode", "utf8"));
            Element(x, "hierarchyLevel", () => Code(x, "MD_ScopeCode", "dataset"));
            foreach (var actor in Actors(context).Where(a => a.Role == "owner").Take(1).DefaultIfEmpty(Actors(context).FirstOrDefault()))
            {
                if (actor is not null)
                    Element(x, "contact", () => Party(x, actor with { Role = "pointOfContact" }));
            }
            Element(x, "dateStamp", () => x.WriteElementString("gco", "Date", Gco, Date(scannedAt ?? DateTimeOffset.UtcNow)));
            Element(x, "metadataStandardName", () => CharacterString(x, "ISO 19115:2003/19139"));
            Element(x, "metadataStandardVersion", () => CharacterString(x, "1.0"));
            if (context.Epsg is { } epsg)
            {
                Element(x, "referenceSystemInfo", () => Element(x, "MD_ReferenceSystem", () => Element(x, "referenceSystemIdentifier", () =>
                    Element(x, "RS_Identifier", () =>
                    {
                        Element(x, "code", () => Anchor(x, $"http://www.opengis.net/def/crs/EPSG/0/{epsg}", $"EPSG:{epsg}"));
                        Element(x, "codeSpace", () => CharacterString(x, "EPSG"));
                    }))));
            }

            Element(x, "identificationInfo", () => Element(x, "MD_DataIdentification", () =>
            {
                Element(x, "citation", () => Element(x, "CI_Citation", () =>
                {
                    Element(x, "title", () => CharacterString(x, $"PCRS raster – {context.Project.Name} – {document.Name}"));
                    if (document.AcquisitionDate is { } acquired)
                        CitationDate(x, Day(acquired), "creation");
                    if (document.DeliveryDate is { } delivered)
                        CitationDate(x, delivered.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), "publication");
                    if (scannedAt is { } scanned)
                        CitationDate(x, Date(scanned), "revision");
                    Element(x, "identifier", () => Element(x, "MD_Identifier", () => Element(x, "code", () => CharacterString(x, $"pcrs:{context.ProjectId}:{context.Deliverable.Id}"))));
                }));
                Element(x, "abstract", () => CharacterString(x,
                    $"Orthophotographie du Plan Corps de Rue Simplifié (PCRS) livrée par le projet « {context.Project.Name} » : livrable « {document.Name} », " +
                    $"{context.Aggregate.Tiles} dalles, {context.Aggregate.TotalBytes} octets" +
                    (context.Aggregate.Format is { } format ? $", format {format}" : "") +
                    (context.Aggregate.Compression is { } compression ? $", compression {compression}" : "") + "."));
                foreach (var actor in Actors(context))
                    Element(x, "pointOfContact", () => Party(x, actor));
                Element(x, "descriptiveKeywords", () => Element(x, "MD_Keywords", () =>
                {
                    Element(x, "keyword", () => Anchor(x, "http://inspire.ec.europa.eu/theme/oi", "Ortho-imagerie"));
                    Element(x, "type", () => Code(x, "MD_KeywordTypeCode", "theme"));
                    Element(x, "thesaurusName", () => Element(x, "CI_Citation", () =>
                    {
                        Element(x, "title", () => Anchor(x, "http://www.eionet.europa.eu/gemet/inspire_themes", "GEMET - INSPIRE themes, version 1.0"));
                        CitationDate(x, "2008-06-01", "publication");
                    }));
                }));
                Element(x, "descriptiveKeywords", () => Element(x, "MD_Keywords", () =>
                {
                    foreach (var keyword in Open(document.Licence) ? ["PCRS", "Plan Corps de Rue Simplifié", "orthophotographie", "données ouvertes"]
                                 : new[] { "PCRS", "Plan Corps de Rue Simplifié", "orthophotographie" })
                        Element(x, "keyword", () => CharacterString(x, keyword));
                }));
                Element(x, "resourceConstraints", () => Element(x, "MD_LegalConstraints", () =>
                {
                    Element(x, "accessConstraints", () => Code(x, "MD_RestrictionCode", "otherRestrictions"));
                    if (Open(document.Licence))
                    {
                        Element(x, "otherConstraints", () => Anchor(x,
                            "http://inspire.ec.europa.eu/metadata-codelist/LimitationsOnPublicAccess/noLimitations", "Pas de restriction d'accès public"));
                    }
                    else
                    {
                        Element(x, "otherConstraints", () => CharacterString(x, "Licence fermée : les conditions d'accès sont à demander au porteur du projet."));
                    }
                }));
                Element(x, "resourceConstraints", () => Element(x, "MD_LegalConstraints", () =>
                {
                    Element(x, "useConstraints", () => Code(x, "MD_RestrictionCode", "otherRestrictions"));
                    Element(x, "otherConstraints", () =>
                    {
                        switch (document.Licence)
                        {
                            case "ouvert_lo":
                                Anchor(x, "https://www.etalab.gouv.fr/licence-ouverte-open-licence/", "Licence Ouverte / Open Licence version 2.0 (etalab-2.0)");
                                break;
                            case "ouvert_odbl":
                                Anchor(x, "https://opendatacommons.org/licenses/odbl/1-0/", "Open Database License (ODbL-1.0)");
                                break;
                            default:
                                CharacterString(x, "Conditions d'utilisation fixées par le producteur (licence fermée).");
                                break;
                        }
                    });
                }));
                Element(x, "spatialRepresentationType", () => Code(x, "MD_SpatialRepresentationTypeCode", "grid"));
                if (resolution is { } metres && double.IsFinite(metres) && metres > 0)
                {
                    Element(x, "spatialResolution", () => Element(x, "MD_Resolution", () => Element(x, "distance", () =>
                    {
                        x.WriteStartElement("gco", "Distance", Gco);
                        x.WriteAttributeString("uom", "m");
                        x.WriteString(metres.ToString("0.###", CultureInfo.InvariantCulture));
                        x.WriteEndElement();
                    })));
                }
                Element(x, "language", () => Language(x));
                Element(x, "characterSet", () => Code(x, "MD_CharacterSetCode", "utf8"));
                Element(x, "topicCategory", () => x.WriteElementString("gmd", "MD_TopicCategoryCode", Gmd, "imageryBaseMapsEarthCover"));
                Element(x, "extent", () => Element(x, "EX_Extent", () =>
                {
                    Element(x, "geographicElement", () => Element(x, "EX_GeographicBoundingBox", () =>
                    {
                        Element(x, "westBoundLongitude", () => Decimal(x, extent.West));
                        Element(x, "eastBoundLongitude", () => Decimal(x, extent.East));
                        Element(x, "southBoundLatitude", () => Decimal(x, extent.South));
                        Element(x, "northBoundLatitude", () => Decimal(x, extent.North));
                    }));
                    TemporalExtent(x, document);
                }));
            }));

            Element(x, "distributionInfo", () => Element(x, "MD_Distribution", () =>
            {
                Element(x, "distributionFormat", () => Element(x, "MD_Format", () =>
                {
                    Element(x, "name", () => CharacterString(x, context.Aggregate.Format ?? "inconnu"));
                    Element(x, "version", () => CharacterString(x, "-"));
                }));
                Element(x, "transferOptions", () => Element(x, "MD_DigitalTransferOptions", () =>
                {
                    foreach (var link in links)
                    {
                        Element(x, "onLine", () => Element(x, "CI_OnlineResource", () =>
                        {
                            Element(x, "linkage", () => x.WriteElementString("gmd", "URL", Gmd, link.Url));
                            Element(x, "protocol", () => CharacterString(x, link.Protocol));
                            Element(x, "name", () => CharacterString(x, link.Name));
                            Element(x, "description", () => CharacterString(x, link.Description));
                        }));
                    }
                }));
            }));

            Element(x, "dataQualityInfo", () => Element(x, "DQ_DataQuality", () =>
            {
                Element(x, "scope", () => Element(x, "DQ_Scope", () => Element(x, "level", () => Code(x, "MD_ScopeCode", "dataset"))));
                Conformance(x, Regulation1089, "2010-12-08",
                    "La conformité au règlement n'est pas évaluée par le scanner, qui ne lit que les en-têtes des fichiers.", null);
                Conformance(x, "Géostandard CNIG PCRS v2.0 – profil raster (résolution, système de référence, bandes, 8 bits, couverture)", "2017-06-27",
                    "Résultat du rapport de conformité calculé à partir des en-têtes des dalles.", pcrsConform);
                Element(x, "lineage", () => Element(x, "LI_Lineage", () => Element(x, "statement", () => CharacterString(x,
                    $"Métadonnées produites automatiquement par le scanner PCRS à partir des en-têtes des {context.Aggregate.Tiles} fichiers du stockage déclaré" +
                    (scannedAt is { } at ? $", analysés le {Date(at)}" : "") + ". " +
                    (document.AcquisitionDate is { } day ? $"Prises de vue du {Day(day)}, date déclarée par le porteur du projet. " : "La date des prises de vue n'a pas été déclarée. ") +
                    "Les classes de précision planimétrique ne sont pas connues du scanner."))));
            }));

            x.WriteEndElement();
            x.WriteEndDocument();
        }
        // StringBuilder output declares UTF-16; the document is served as UTF-8.
        return text.ToString().Replace("encoding=\"utf-16\"", "encoding=\"UTF-8\"", StringComparison.Ordinal);
    }

    /// <summary>An organisation's role; its e-mail is the address the project declared for it (an organisation's role, not a person's record).</summary>
    private sealed record Responsible(string Name, string Role, string? Email);

    private static IEnumerable<Responsible> Actors(DeliverableContext context) => context.Project.Actors
        .Select(a => (Name: a.Name ?? a.Siren, a.Email, Role: a.Role switch
        {
            "aplc" or "porteur" => "owner",
            "presta_vol" or "presta_lidar" => "originator",
            "diffuseur" => "distributor",
            "controleur" => "processor",
            _ => null,
        }))
        .Where(a => a.Role is not null)
        .Select(a => new Responsible(a.Name, a.Role!, string.IsNullOrWhiteSpace(a.Email) ? null : a.Email));

    private static bool Open(string licence) => licence is "ouvert_lo" or "ouvert_odbl";

    private static string Date(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Day(DateOnly value) => value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>
    /// INSPIRE temporal extent (CNIG "étendue temporelle": a date or an interval): the day the owner declared the
    /// photographs were taken; without it, an interval of unknown start that ends on the delivery day (photographs
    /// predate their delivery); without either, none (the record then has only its citation dates).
    /// </summary>
    private static void TemporalExtent(XmlWriter x, DeliverableDocument document)
    {
        if (document.AcquisitionDate is null && document.DeliveryDate is null)
            return;
        Element(x, "temporalElement", () => Element(x, "EX_TemporalExtent", () => Element(x, "extent", () =>
        {
            if (document.AcquisitionDate is { } acquired)
            {
                x.WriteStartElement("gml", "TimeInstant", Gml);
                x.WriteAttributeString("gml", "id", Gml, "acquisition");
                x.WriteElementString("gml", "timePosition", Gml, Day(acquired));
                x.WriteEndElement();
                return;
            }
            x.WriteStartElement("gml", "TimePeriod", Gml);
            x.WriteAttributeString("gml", "id", Gml, "avant-livraison");
            x.WriteStartElement("gml", "beginPosition", Gml);
            x.WriteAttributeString("indeterminatePosition", "unknown");
            x.WriteEndElement();
            x.WriteElementString("gml", "endPosition", Gml, Day(document.DeliveryDate!.Value));
            x.WriteEndElement();
        })));
    }

    private static void Element(XmlWriter x, string name, Action content)
    {
        x.WriteStartElement("gmd", name, Gmd);
        content();
        x.WriteEndElement();
    }

    private static void CharacterString(XmlWriter x, string value) => x.WriteElementString("gco", "CharacterString", Gco, value);

    private static void Decimal(XmlWriter x, double value) =>
        x.WriteElementString("gco", "Decimal", Gco, Math.Round(value, 6).ToString("0.######", CultureInfo.InvariantCulture));

    private static void Anchor(XmlWriter x, string href, string label)
    {
        x.WriteStartElement("gmx", "Anchor", Gmx);
        x.WriteAttributeString("xlink", "href", Xlink, href);
        x.WriteString(label);
        x.WriteEndElement();
    }

    private static void Code(XmlWriter x, string list, string value)
    {
        x.WriteStartElement("gmd", list, Gmd);
        x.WriteAttributeString("codeList", $"{CodeLists}#{list}");
        x.WriteAttributeString("codeListValue", value);
        x.WriteString(value);
        x.WriteEndElement();
    }

    private static void Language(XmlWriter x)
    {
        x.WriteStartElement("gmd", "LanguageCode", Gmd);
        x.WriteAttributeString("codeList", "http://www.loc.gov/standards/iso639-2/");
        x.WriteAttributeString("codeListValue", "fre");
        x.WriteString("fre");
        x.WriteEndElement();
    }

    private static void Party(XmlWriter x, Responsible party) => Element(x, "CI_ResponsibleParty", () =>
    {
        Element(x, "organisationName", () => CharacterString(x, party.Name));
        if (party.Email is { } email)
        {
            Element(x, "contactInfo", () => Element(x, "CI_Contact", () => Element(x, "address", () => Element(x, "CI_Address", () =>
                Element(x, "electronicMailAddress", () => CharacterString(x, email))))));
        }
        Element(x, "role", () => Code(x, "CI_RoleCode", party.Role));
    });

    private static void CitationDate(XmlWriter x, string date, string type) => Element(x, "date", () => Element(x, "CI_Date", () =>
    {
        Element(x, "date", () => x.WriteElementString("gco", "Date", Gco, date));
        Element(x, "dateType", () => Code(x, "CI_DateTypeCode", type));
    }));

    private static void Conformance(XmlWriter x, string title, string date, string explanation, bool? pass) =>
        Element(x, "report", () => Element(x, "DQ_DomainConsistency", () => Element(x, "result", () => Element(x, "DQ_ConformanceResult", () =>
        {
            Element(x, "specification", () => Element(x, "CI_Citation", () =>
            {
                Element(x, "title", () => CharacterString(x, title));
                CitationDate(x, date, "publication");
            }));
            Element(x, "explanation", () => CharacterString(x, explanation));
            x.WriteStartElement("gmd", "pass", Gmd);
            if (pass is { } value)
                x.WriteElementString("gco", "Boolean", Gco, value ? "true" : "false");
            else
                x.WriteAttributeString("gco", "nilReason", Gco, "unknown");
            x.WriteEndElement();
        }))));
}
