using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using BacklinkOrleans.Accounts.Contracts;

namespace BacklinkOrleans.Api.Tests;

/// <summary>Add-credential bodies as the API takes them: <c>{"kind": …, "label": …, …the kind's own fields}</c> (null fields left out).</summary>
internal static class CredentialRequests
{
    public static Dictionary<string, object?> IndexNow(string host, string key, string? keyLocation = null, string? label = "main key") =>
        Body(CredentialKinds.IndexNow, label, ("host", host), ("key", key), ("keyLocation", keyLocation));

    public static Dictionary<string, object?> Google(string serviceAccountJson, IReadOnlyList<string> properties, string? label = "sa") =>
        Body(CredentialKinds.Google, label, ("serviceAccountJson", serviceAccountJson), ("properties", properties));

    public static Dictionary<string, object?> Vendor(string apiKey, string? label = "vendor") =>
        Body(CredentialKinds.Vendor, label, ("apiKey", apiKey));

    public static Dictionary<string, object?> Body(string kind, string? label, params (string Field, object? Value)[] fields)
    {
        var body = new Dictionary<string, object?> { ["kind"] = kind };
        if (label is not null)
            body["label"] = label;
        foreach (var (field, value) in fields.Where(f => f.Value is not null))
            body[field] = value;
        return body;
    }

    /// <summary>Adds a credential, failing with the answer when it is not created.</summary>
    public static async Task<CredentialView> AddCredentialAsync(this HttpClient client, object body)
    {
        using var response = await client.PostAsJsonAsync("/api/v1/credentials", body);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<CredentialView>())!;
    }

    /// <summary>The messages of a validation problem, by field.</summary>
    public static async Task<Dictionary<string, string[]>> ValidationErrorsAsync(this HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return problem.RootElement.GetProperty("errors").EnumerateObject()
            .ToDictionary(e => e.Name, e => e.Value.EnumerateArray().Select(m => m.GetString()!).ToArray());
    }
}
