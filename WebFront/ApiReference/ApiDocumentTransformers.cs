using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Pcrs.WebFront.ApiReference;

/// <summary>
/// Puts <see cref="ApiFieldDocs"/> (descriptions, allowed values, required fields, unknown fields refused) and
/// <see cref="ApiExamples"/> (request and response examples) into the generated OpenAPI document.
/// </summary>
public static class ApiDocumentTransformers
{
    public static OpenApiOptions AddPcrsReference(this OpenApiOptions options)
    {
        options.AddSchemaTransformer(DescribeSchema);
        options.AddOperationTransformer(AddExamples);
        return options;
    }

    private static Task DescribeSchema(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        var type = context.JsonTypeInfo.Type;
        if (ApiFieldDocs.Types.TryGetValue(type, out var description))
            schema.Description = description;
        // The documented required fields replace the generator's guess (every constructor parameter of a positional record):
        // request fields are nullable so that the validator, not the JSON reader, names what is wrong.
        if (IsRequestBody(type))
        {
            schema.Required = ApiFieldDocs.Fields.Where(f => f.Key.Type == type && f.Value.Required)
                .Select(f => f.Key.Field).ToHashSet(StringComparer.Ordinal);
            // Request bodies are read with unknown members refused (a 400 naming the field): the document says so.
            schema.AdditionalPropertiesAllowed = false;
        }
        // A property whose type is an object (ImportLine.project) is described by that same schema: the type's rules above
        // apply to it too, and the field's own description wins.
        if (context.JsonPropertyInfo is { DeclaringType: { } owner } property && ApiFieldDocs.Fields.TryGetValue((owner, property.Name), out var doc))
            DescribeField(schema, doc);
        return Task.CompletedTask;
    }

    private static bool IsRequestBody(Type type) =>
        type.Namespace == typeof(Model.ProjectRequest).Namespace && type.Name.EndsWith("Request", StringComparison.Ordinal);

    private static void DescribeField(OpenApiSchema schema, ApiFieldDoc doc)
    {
        schema.Description = doc.Description;
        if (doc.WriteOnly)
            schema.WriteOnly = true;
        if (doc.Allowed is null)
            return;
        // The values as the validator stores them; null stands for "the default" on an optional field.
        var values = doc.Allowed.Select(v => (JsonNode)JsonValue.Create(v)).ToList();
        if (!doc.Required && schema.Type is { } type && type.HasFlag(JsonSchemaType.Null))
            values.Add(JsonNullSentinel.JsonNull);
        schema.Enum = values;
    }

    private static async Task AddExamples(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (operation.OperationId is not { } id)
            return;
        // The import reads its body itself (JSON or CSV, bounded): its body is described here, not inferred from a parameter.
        if (id == "AdminImport" && operation.RequestBody is null)
        {
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Content = new Dictionary<string, OpenApiMediaType>(StringComparer.Ordinal)
                {
                    ["application/json"] = new() { Schema = await context.GetOrCreateSchemaAsync(typeof(List<Import.ImportLine>), null, cancellationToken) },
                    ["text/csv"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String, Description = "A header line naming the columns, then one project per line." } },
                },
            };
        }
        if (ApiExamples.Requests.TryGetValue(id, out var examples)
            && operation.RequestBody?.Content?.TryGetValue("application/json", out var body) == true)
        {
            body.Examples = examples.ToDictionary(
                e => e.Name, e => (IOpenApiExample)new OpenApiExample { Summary = e.Summary, Value = ApiExamples.Parse(e.Json) }, StringComparer.Ordinal);
        }
        foreach (var ((operationId, status), json) in ApiExamples.Responses)
        {
            if (operationId != id)
                continue;
            if (operation.Responses is null || !operation.Responses.TryGetValue(status, out var response))
                continue;
            // ValidationProblem responses carry no content in the generated document: give them the problem+json media type.
            if (response.Content is { Count: > 0 } content)
            {
                foreach (var media in content.Values)
                    media.Example = ApiExamples.Parse(json);
            }
            else if (response is OpenApiResponse concrete)
            {
                concrete.Content = new Dictionary<string, OpenApiMediaType>(StringComparer.Ordinal)
                {
                    ["application/problem+json"] = new() { Example = ApiExamples.Parse(json) },
                };
            }
        }
    }
}
