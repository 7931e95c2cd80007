using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CrmBot.Fakes.Teams;

/// <summary>A minimal Kestrel app on 127.0.0.1 and a free port; what every fake here is built on.</summary>
public abstract class LoopbackServer : IAsyncDisposable
{
    private WebApplication? _app;

    /// <summary>http://127.0.0.1:{port} (no trailing slash); set once started.</summary>
    public string BaseUrl { get; private set; } = "";

    protected async Task StartServerAsync(CancellationToken ct = default)
    {
        _app = NewBuilder().Build();
        Map(_app);
        await _app.StartAsync(ct);
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseUrl = address.TrimEnd('/');
    }

    protected abstract void Map(WebApplication app);

    /// <summary>
    /// A quiet Kestrel app on 127.0.0.1 and a free port. It does not watch its content root for config
    /// changes: that watch is recursive, and from the repository root it covers bench/.data, so every
    /// SQLite write of the service under test woke it up (about 5 % of the service's CPU, charged to the
    /// writer by the kernel).
    /// </summary>
    public static WebApplicationBuilder NewBuilder()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = ["--hostBuilder:reloadConfigOnChange=false"],
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        return builder;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        GC.SuppressFinalize(this);
    }
}
