// CrmBot: no verb serves HTTP (Teams, Slack, /healthz); verbs run one-off jobs against the same store.
return await CrmBot.Cli.CrmCommandLine.InvokeAsync(args);

/// <summary>Entry point; public so the integration tests' WebApplicationFactory can find it.</summary>
public partial class Program;
