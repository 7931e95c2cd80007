using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

// Default runtime settings (tiering, server GC), as "a bare endpoint" means. Like the service, it neither
// logs each request nor watches its config files (finding 13: the watch woke on the store's writes).
// The Connector wants a bot token; one is fetched at the first turn and reused, as any bot does within
// a token's hour.
var builder = WebApplication.CreateSlimBuilder(["--hostBuilder:reloadConfigOnChange=false", .. args]);
builder.Logging.ClearProviders();
var app = builder.Build();
var settings = app.Configuration.GetSection("Bot");
var http = new HttpClient(new SocketsHttpHandler { UseProxy = false, MaxConnectionsPerServer = 256 });
Task<string>? token = null;

app.MapGet("/healthz", () => "Healthy");
app.MapPost("/api/messages", async (HttpRequest request) =>
{
    var activity = (await JsonNode.ParseAsync(request.Body))!.AsObject();
    var serviceUrl = activity["serviceUrl"]!.GetValue<string>().TrimEnd('/');
    var conversation = activity["conversation"]!["id"]!.GetValue<string>();
    var id = activity["id"]!.GetValue<string>();
    var reply = new JsonObject
    {
        ["type"] = "message",
        ["text"] = "echo: " + activity["text"],
        ["from"] = activity["recipient"]!.DeepClone(),
        ["recipient"] = activity["from"]!.DeepClone(),
        ["conversation"] = new JsonObject { ["id"] = conversation },
        ["replyToId"] = id,
    };
    using var post = new HttpRequestMessage(HttpMethod.Post, $"{serviceUrl}/v3/conversations/{Uri.EscapeDataString(conversation)}/activities/{Uri.EscapeDataString(id)}")
    {
        Content = new StringContent(reply.ToJsonString(), Encoding.UTF8, "application/json"),
    };
    post.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await (token ??= FetchTokenAsync()));
    using var response = await http.SendAsync(post);
    return Results.StatusCode(response.IsSuccessStatusCode ? 200 : 502);
});
app.Run();

async Task<string> FetchTokenAsync()
{
    using var response = await http.PostAsync(settings["TokenEndpoint"], new FormUrlEncodedContent(new Dictionary<string, string>
    {
        ["grant_type"] = "client_credentials",
        ["client_id"] = settings["MicrosoftAppId"]!,
        ["client_secret"] = settings["MicrosoftAppPassword"]!,
        ["scope"] = "https://api.botframework.com/.default",
    }));
    response.EnsureSuccessStatusCode();
    return (await JsonNode.ParseAsync(await response.Content.ReadAsStreamAsync()))!["access_token"]!.GetValue<string>();
}
