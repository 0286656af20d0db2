using System.Text;
using BacklinkOrleans.Testing;
using Microsoft.Playwright;

namespace BacklinkOrleans.Web.Tests;

/// <summary>
/// The campaign web page in Debian's Chromium, driven by Playwright as a person would use it: sign in, upload a CSV,
/// watch the funnel move, open a URL's history, pause and resume, download the report. A screenshot of each page is
/// kept in <c>artifacts/screenshots/</c>.
/// </summary>
public sealed class BrowserTests(WebHostFixture fixture) : IClassFixture<WebHostFixture>
{
    private static readonly string Screenshots = Path.Combine(RepositoryLayout.Root, "artifacts", "screenshots");

    /// <summary>Chromium from <c>BACKLINK_CHROMIUM</c>, else Debian's (installed by scripts/test.sh).</summary>
    private static string Chromium()
    {
        var candidates = new[] { Environment.GetEnvironmentVariable("BACKLINK_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser" };
        return candidates.FirstOrDefault(c => !string.IsNullOrEmpty(c) && File.Exists(c))
            ?? throw new InvalidOperationException("No Chromium found: install Debian's chromium (scripts/test.sh does as root) or set BACKLINK_CHROMIUM.");
    }

    private static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium(),
            Headless = true,
            Args = ["--no-sandbox", "--disable-dev-shm-usage"], // CI runs as root in a container
        });
        return (playwright, browser);
    }

    private static async Task ShotAsync(IPage page, string name)
    {
        Directory.CreateDirectory(Screenshots);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, $"{name}.png"), FullPage = true });
    }

    [Fact]
    public async Task APerson_SignsIn_UploadsACsv_WatchesTheFunnel_ReadsAHistory_PausesAndResumes_AndDownloadsTheReport()
    {
        var (playwright, browser) = await LaunchAsync();
        using (playwright)
        await using (browser)
        {
            var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = fixture.Host.Http.BaseAddress!.ToString(), AcceptDownloads = true });
            var page = await context.NewPageAsync();

            // Signing in: the campaigns page sends a stranger to the sign-in form; a wrong key is refused.
            await page.GotoAsync("/app");
            Assert.EndsWith("/app/signin", new Uri(page.Url).AbsolutePath);
            await ShotAsync(page, "01-sign-in");
            await page.GetByLabel("API key").FillAsync("blk_wrong_key");
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("That key was not accepted");
            await page.GetByLabel("API key").FillAsync(fixture.TenantKey);
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Campaigns" })).ToBeVisibleAsync();
            await ShotAsync(page, "02-campaigns");

            // A campaign: upload a CSV of five URLs.
            await page.GetByRole(AriaRole.Link, new() { Name = "Q4 guest posts" }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Q4 guest posts" })).ToBeVisibleAsync();
            const string csv = "url,target_url\nhttps://guest-blog.example/acme-review,https://client.example/\nhttps://guest-blog.example/acme-interview,https://client.example/\n"
                + "https://guest-blog.example/old-post,\nhttps://guest-blog.example/hidden,\nhttps://elsewhere.example/post,\n";
            await page.GetByLabel("Add backlinks from a CSV file").SetInputFilesAsync(new FilePayload { Name = "links.csv", MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes(csv) });
            await page.GetByRole(AriaRole.Button, new() { Name = "Upload" }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("links.csv: 5 rows, 5 accepted, 0 duplicate, 0 rejected");
            await ShotAsync(page, "03-uploaded");

            // The funnel moves: reloading shows the three bad URLs failed and the two good ones submitted.
            string Count(string state) => $"#funnel [data-state='{state}']";
            for (var deadline = DateTime.UtcNow.AddSeconds(60); ; await Task.Delay(500))
            {
                await page.ReloadAsync();
                if (await page.InnerTextAsync(Count("failed")) == "3" && await page.InnerTextAsync(Count("submitted")) is "2" || DateTime.UtcNow > deadline)
                    break;
            }
            Assert.Equal(("3", "2", "0"), (await page.InnerTextAsync(Count("failed")), await page.InnerTextAsync(Count("submitted")), await page.InnerTextAsync(Count("collected"))));
            await ShotAsync(page, "04-funnel");

            // A URL's history: the gone page's timeline shows why it failed.
            await page.GetByRole(AriaRole.Link, new() { Name = "https://guest-blog.example/old-post" }).ClickAsync();
            await Assertions.Expect(page.Locator("#state")).ToHaveTextAsync("failed");
            await Assertions.Expect(page.Locator("#history")).ToContainTextAsync("http-not-found");
            await Assertions.Expect(page.Locator("#history li").First).ToContainTextAsync("collected");
            await ShotAsync(page, "05-history");

            // Pause and resume.
            await page.GetByRole(AriaRole.Link, new() { Name = "← Campaign" }).ClickAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Pause" }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Paused");
            await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("paused");
            await page.GetByRole(AriaRole.Button, new() { Name = "Resume" }).ClickAsync();
            await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("active");
            await ShotAsync(page, "06-resumed");

            // The report, downloaded as CSV.
            var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("#report-csv").ClickAsync());
            var file = await download.PathAsync();
            var report = await File.ReadAllTextAsync(file!);
            Assert.StartsWith("section,name,detail,count,value", report);
            Assert.Contains("drop-off,no-channel,collected,1,https://elsewhere.example/post", report);

            // Readable on a phone: the campaign page at a phone's width has no horizontal scroll of the page itself.
            await page.SetViewportSizeAsync(390, 844);
            await page.ReloadAsync();
            Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth + 1"), "the page fits a phone's width");
            await ShotAsync(page, "07-phone");
        }
    }
}
