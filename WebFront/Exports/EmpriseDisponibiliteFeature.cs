using System.Text.Json;
using Pcrs.Grains.Catalogue;
using Pcrs.Grains.Projects;
using Pcrs.WebFront.Apis;
using Pcrs.WebFront.Projects;

namespace Pcrs.WebFront.Exports;

/// <summary>
/// One deliverable as a géostandard EmpriseDisponibilitePCRS feature: the union of its tile footprints (or its extent's
/// box while that is not computed) with the project's and the deliverable's fields. The one writer of both published
/// shapes: the exports' livrables.geojson and the platform's file, which leaves out a format that is neither GeoTIFF nor
/// JPEG 2000 and has no tile count.
/// </summary>
public static class EmpriseDisponibiliteFeature
{
    /// <summary>The two published shapes of the feature.</summary>
    public enum Shape
    {
        /// <summary>/api/exports/livrables.geojson: every field, "format" null when unknown, "nbDalles".</summary>
        Exports,

        /// <summary>The platform's file: "format" only when known, no "nbDalles".</summary>
        Platform,
    }

    public static void Write(Utf8JsonWriter writer, Shape shape, Guid projectId, ProjectDocument project, StoredDeliverable deliverable,
        CatalogueAggregate aggregate, GeoBox extent, string? emprise, ProjectStep? current)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(project);
        ArgumentNullException.ThrowIfNull(deliverable);
        ArgumentNullException.ThrowIfNull(aggregate);
        writer.WriteStartObject();
        writer.WriteString("type", "Feature");
        if (emprise is null)
            GeoJsonResult.WriteBoxPolygon(writer, extent);
        else
            GeoJsonResult.WriteGeometry(writer, emprise);
        writer.WriteStartObject("properties");
        writer.WriteString("initiative", projectId.ToString());
        writer.WriteString("dateActualite", current is null ? null : ProjectViews.Date(current.StartDate));
        writer.WriteString("calendrier", PcrsVocabulary.Calendrier(current?.Status));
        writer.WriteString("nom", deliverable.Document.Name);
        var format = PcrsVocabulary.MediaType(aggregate.Format);
        if (shape == Shape.Exports || format is not null)
            writer.WriteString("format", format);
        writer.WriteString("compression", aggregate.Compression);
        writer.WriteString("epsg", PcrsVocabulary.Epsg(aggregate.Epsg));
        writer.WriteNumber("taille", aggregate.TotalBytes);
        if (shape == Shape.Exports)
            writer.WriteNumber("nbDalles", aggregate.Tiles);
        WriteNumber(writer, "recouvrLat", deliverable.Document.SideOverlap);
        WriteNumber(writer, "recouvrLon", deliverable.Document.ForwardOverlap);
        WriteNumber(writer, "focale", deliverable.Document.FocalLength);
        writer.WriteString("licence", deliverable.Document.Licence);
        WriteStrings(writer, "subventions", project.Subsidies.Select(s => s.Nature).Distinct(StringComparer.Ordinal));
        WriteStrings(writer, "acteurs", project.Actors.Select(a => a.Name ?? a.Siren).Distinct(StringComparer.Ordinal));
        writer.WriteString("diffusion", deliverable.Document.Diffusion);
        writer.WriteString("diffusionUrl", deliverable.Document.DiffusionUrl);
        writer.WriteString("diffusionLayer", deliverable.Document.DiffusionLayer);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteNumber(Utf8JsonWriter writer, string name, decimal? value)
    {
        if (value is { } number)
            writer.WriteNumber(name, number);
        else
            writer.WriteNull(name);
    }

    private static void WriteStrings(Utf8JsonWriter writer, string name, IEnumerable<string> values)
    {
        writer.WriteStartArray(name);
        foreach (var value in values)
            writer.WriteStringValue(value);
        writer.WriteEndArray();
    }
}
