using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using BacklinkOrleans.Sandbox.Contracts;

namespace BacklinkOrleans.Sandbox.Tests;

/// <summary>Search Console's URL Inspection API: the property check with Google's exact 403, timelines, quotas per property.</summary>
public sealed partial class GoogleStrictnessTests
{
    private async Task<(HttpStatusCode Status, JsonNode? Body)> InspectAsync(string? token, string url, string site)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://searchconsole.googleapis.com/v1/urlInspection/index:inspect")
        {
            Content = new StringContent(JsonSerializer.Serialize(new { inspectionUrl = url, siteUrl = site, languageCode = "en-US" }), Encoding.UTF8, "application/json"),
        };
        if (token is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await client.SendAsync(request);
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync()));
    }

    private Task<string> InspectionTokenAsync() => AccessTokenAsync(c => c["scope"] = GoogleSimulation.WebmastersScope);

    private static string? Coverage(JsonNode? body) => body?["inspectionResult"]?["indexStatusResult"]?["coverageState"]?.GetValue<string>();

    [Fact]
    public async Task Inspection_NeedsATokenWithTheSearchConsoleScope()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await InspectAsync(null, "https://acme.example/a", "sc-domain:acme.example")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await InspectAsync(await AccessTokenAsync(), "https://acme.example/a", "sc-domain:acme.example")).Status);
        Assert.Equal(HttpStatusCode.OK, (await InspectAsync(await InspectionTokenAsync(), "https://acme.example/a", "sc-domain:acme.example")).Status);
    }

    [Theory]
    [InlineData("https://www.other.example/a", "sc-domain:other.example")]   // a property the account does not own
    [InlineData("https://www.other.example/a", "sc-domain:acme.example")]    // a URL outside the property
    [InlineData("https://www.partner.example/shop/1", "https://www.partner.example/blog/")]
    [InlineData("http://www.partner.example/blog/1", "https://www.partner.example/blog/")] // scheme is part of a prefix
    public async Task AUrlOutsideAPropertyTheAccountOwns_Is403WithGooglesWords(string url, string site)
    {
        var (status, body) = await InspectAsync(await InspectionTokenAsync(), url, site);
        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Equal("You do not own this site, or the inspected URL is not part of this property.", Message(body));
    }

    [Fact]
    public async Task AScriptedTimeline_IsFollowed_AndWithoutOneTheSearchIndexAnswers()
    {
        var token = await InspectionTokenAsync();
        var url = "https://blog.acme.example/guest-post";
        var start = time.GetUtcNow();
        sandbox.Google.ScriptInspection(url, start.AddHours(1), InspectionState.Discovered)
            .ScriptInspection(url, start.AddHours(5), InspectionState.Indexed);

        Assert.Equal("URL is unknown to Google", Coverage((await InspectAsync(token, url, "sc-domain:acme.example")).Body));
        time.Advance(TimeSpan.FromHours(2));
        Assert.Equal("Discovered - currently not indexed", Coverage((await InspectAsync(await InspectionTokenAsync(), url, "sc-domain:acme.example")).Body));
        time.Advance(TimeSpan.FromHours(3));
        var indexed = (await InspectAsync(await InspectionTokenAsync(), url, "sc-domain:acme.example")).Body!["inspectionResult"]!["indexStatusResult"]!;
        Assert.Equal(("PASS", "Submitted and indexed", url), (indexed["verdict"]!.GetValue<string>(), indexed["coverageState"]!.GetValue<string>(),
            indexed["googleCanonical"]!.GetValue<string>()));

        sandbox.Index.MarkIndexed("https://acme.example/indexed", time.GetUtcNow());
        Assert.Equal("Submitted and indexed", Coverage((await InspectAsync(await InspectionTokenAsync(), "https://acme.example/indexed", "sc-domain:acme.example")).Body));
    }

    [Fact]
    public async Task APropertysInspectionsPerDay_AreCounted_And429Beyond()
    {
        sandbox.Google.InspectionDailyLimit = 3;
        var token = await InspectionTokenAsync();
        for (var i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.OK, (await InspectAsync(token, $"https://acme.example/{i}", "sc-domain:acme.example")).Status);
        var (status, body) = await InspectAsync(token, "https://acme.example/4", "sc-domain:acme.example");
        Assert.Equal(HttpStatusCode.TooManyRequests, status);
        Assert.Contains("per day", Message(body));
        Assert.Equal(HttpStatusCode.OK, (await InspectAsync(token, "https://www.partner.example/blog/1", "https://www.partner.example/blog/")).Status); // another property
    }
}
