using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace BacklinkOrleans.Backlinks.Api;

/// <summary>The module's problem documents: a title, a sentence for people, and a stable code where one exists.</summary>
internal static class Problems
{
    public static ProblemDetails Of(int status, string title, string? detail, string? code = null)
    {
        var problem = new ProblemDetails { Title = title, Detail = detail, Status = status };
        if (code is not null)
            problem.Extensions["code"] = code;
        return problem;
    }

    public static NotFound<ProblemDetails> NotFound(string detail) =>
        TypedResults.NotFound(Of(StatusCodes.Status404NotFound, "Not found", detail));

    /// <summary>A command that does not fit the current state (the grain's explicit rejection).</summary>
    public static Conflict<ProblemDetails> Rejected(string? code, string? message) =>
        TypedResults.Conflict(Of(StatusCodes.Status409Conflict, "Not possible in this state", message, code));
}
