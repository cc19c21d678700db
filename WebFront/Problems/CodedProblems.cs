namespace Pcrs.WebFront.Problems;

/// <summary>
/// Adds the codes of a problem's English sentences beside them (an extension of RFC 9457 bodies; nothing renamed):
/// <c>titleCode</c>, <c>detailCode</c>, and for a validation problem <c>errorCodes</c>, the codes of each field's
/// messages in the same order as <c>errors</c> (null where a message has none). The pages show French from them.
/// </summary>
public static class CodedProblems
{
    public static void Add(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        if (ErrorSentences.Identify(problem.Title) is { } title)
            problem.Extensions["titleCode"] = title;
        if (ErrorSentences.Identify(problem.Detail) is { } detail)
            problem.Extensions["detailCode"] = detail;
        if (problem is HttpValidationProblemDetails { Errors.Count: > 0 } validation)
            problem.Extensions["errorCodes"] = ErrorSentences.IdentifyAll(validation.Errors);
    }
}
