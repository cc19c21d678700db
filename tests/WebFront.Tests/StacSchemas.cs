using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace Pcrs.WebFront.Tests;

/// <summary>
/// JSON Schemas of STAC 1.1 Items and Collections written here from the specification's field tables (item-spec,
/// collection-spec, common metadata "bands") and from the projection v2.0.0 and file v2.1.0 extensions' field
/// tables: required fields, their types, and the link objects; then checked with JsonSchema.Net.
/// </summary>
public static class StacSchemas
{
    private const string Link = """
        {"type": "object", "required": ["rel", "href"],
         "properties": {"rel": {"type": "string", "minLength": 1}, "href": {"type": "string", "minLength": 1}, "type": {"type": "string"}, "title": {"type": "string"}}}
        """;

    private const string Band = """
        {"type": "object",
         "properties": {"name": {"type": "string"}, "description": {"type": "string"}, "eo:common_name": {"type": "string"},
                        "data_type": {"enum": ["int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "float16", "float32", "float64", "cint16", "cint32", "cfloat32", "cfloat64", "other"]}}}
        """;

    public static readonly JsonSchema Item = JsonSchema.FromText("""
        {
          "type": "object",
          "required": ["type", "stac_version", "id", "geometry", "properties", "links", "assets"],
          "properties": {
            "type": {"const": "Feature"},
            "stac_version": {"const": "1.1.0"},
            "stac_extensions": {"type": "array", "items": {"type": "string", "format": "uri"}, "uniqueItems": true},
            "id": {"type": "string", "minLength": 1},
            "collection": {"type": "string"},
            "geometry": {"oneOf": [{"type": "null"}, {"type": "object", "required": ["type", "coordinates"], "properties": {"type": {"enum": ["Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon"]}}}]},
            "bbox": {"type": "array", "oneOf": [{"minItems": 4, "maxItems": 4}, {"minItems": 6, "maxItems": 6}], "items": {"type": "number"}},
            "properties": {
              "type": "object",
              "required": ["datetime"],
              "properties": {
                "datetime": {"type": ["string", "null"], "format": "date-time"},
                "gsd": {"type": "number", "exclusiveMinimum": 0},
                "proj:code": {"type": ["string", "null"], "pattern": "^[A-Z]+:[0-9]+$"},
                "proj:shape": {"type": "array", "minItems": 2, "maxItems": 2, "items": {"type": "integer", "minimum": 0}},
                "proj:transform": {"type": "array", "oneOf": [{"minItems": 6, "maxItems": 6}, {"minItems": 9, "maxItems": 9}], "items": {"type": "number"}},
                "proj:bbox": {"type": "array", "oneOf": [{"minItems": 4, "maxItems": 4}, {"minItems": 6, "maxItems": 6}], "items": {"type": "number"}}
              },
              "if": {"properties": {"datetime": {"type": "null"}}},
              "then": {"required": ["start_datetime", "end_datetime"]}
            },
            "links": {"type": "array", "items": LINK},
            "assets": {"type": "object", "additionalProperties": {
              "type": "object", "required": ["href"],
              "properties": {"href": {"type": "string", "minLength": 1}, "type": {"type": "string"}, "roles": {"type": "array", "items": {"type": "string"}},
                             "file:size": {"type": "integer", "minimum": 0}, "bands": {"type": "array", "items": BAND}}}}
          },
          "if": {"properties": {"geometry": {"type": "object"}}},
          "then": {"required": ["bbox"]}
        }
        """.Replace("LINK", Link, StringComparison.Ordinal).Replace("BAND", Band, StringComparison.Ordinal));

    public static readonly JsonSchema Collection = JsonSchema.FromText("""
        {
          "type": "object",
          "required": ["type", "stac_version", "id", "description", "license", "extent", "links"],
          "properties": {
            "type": {"const": "Collection"},
            "stac_version": {"const": "1.1.0"},
            "stac_extensions": {"type": "array", "items": {"type": "string", "format": "uri"}, "uniqueItems": true},
            "id": {"type": "string", "minLength": 1},
            "title": {"type": "string"},
            "description": {"type": "string", "minLength": 1},
            "keywords": {"type": "array", "items": {"type": "string"}},
            "license": {"type": "string", "pattern": "^[\\w\\-\\.\\+]+$"},
            "providers": {"type": "array", "items": {"type": "object", "required": ["name"],
              "properties": {"name": {"type": "string"}, "roles": {"type": "array", "items": {"enum": ["producer", "licensor", "processor", "host"]}}}}},
            "extent": {
              "type": "object", "required": ["spatial", "temporal"],
              "properties": {
                "spatial": {"type": "object", "required": ["bbox"], "properties": {"bbox": {"type": "array", "minItems": 1,
                  "items": {"type": "array", "oneOf": [{"minItems": 4, "maxItems": 4}, {"minItems": 6, "maxItems": 6}], "items": {"type": "number"}}}}},
                "temporal": {"type": "object", "required": ["interval"], "properties": {"interval": {"type": "array", "minItems": 1,
                  "items": {"type": "array", "minItems": 2, "maxItems": 2, "items": {"type": ["string", "null"], "format": "date-time"}}}}}
              }
            },
            "summaries": {"type": "object"},
            "links": {"type": "array", "items": LINK}
          }
        }
        """.Replace("LINK", Link, StringComparison.Ordinal));

    public static void AssertValid(JsonSchema schema, JsonNode document)
    {
        using var json = JsonDocument.Parse(document.ToJsonString());
        var result = schema.Evaluate(json.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true });
        Assert.True(result.IsValid, string.Join("\n", (result.Details ?? []).Where(d => d.Errors is { Count: > 0 })
            .Select(d => $"{d.InstanceLocation}: {string.Join("; ", d.Errors!.Values)}")) + "\n" + document.ToJsonString());
    }

    /// <summary>The relations of a document's links.</summary>
    public static string[] Relations(JsonNode document) => document["links"]!.AsArray().Select(l => l!["rel"]!.GetValue<string>()).ToArray();
}
