using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CrmBot.Crm;
using CrmBot.Crm.Model;
using CrmBot.Crm.Services;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace CrmBot.Cli;

/// <summary>
/// `members list|promote|demote|set-manager`: roles without chat, so an operator can make the first admin or repair
/// roles. Changes go through <see cref="MemberService"/> as the operator (audited with channel "cli"); an admin made
/// here is an operator grant, which Crm:Admins never takes back.
/// </summary>
internal static class MembersCommand
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public static Command Create()
    {
        var command = new Command("members", "List members and their roles; promote, demote or put a member in a manager's team.");
        command.Subcommands.Add(ListCommand());
        command.Subcommands.Add(PromoteCommand());
        command.Subcommands.Add(DemoteCommand());
        command.Subcommands.Add(SetManagerCommand());
        return command;
    }

    private static Argument<string> MemberArgument(string name = "member") =>
        new(name) { Description = "A member number (see `members list`), e-mail, channel user id or unambiguous name." };

    private static Command ListCommand()
    {
        var json = new Option<bool>("--json") { Description = "Print the members as one JSON document." };
        var list = new Command("list", "Every member: number, name, channel, e-mail, role (and who made an admin), manager.") { json };
        list.SetAction((parse, ct) => CliHost.RunAsync(writes: false, async services =>
        {
            var members = await services.GetRequiredService<CrmDbContext>().Members.AsNoTracking().OrderBy(m => m.Id).ToListAsync(ct);
            var names = members.ToDictionary(m => m.Id, m => m.DisplayName);
            string? ManagerOf(Member m) => m.ManagerId is { } id ? names.GetValueOrDefault(id) : null;
            if (parse.GetValue(json))
            {
                var document = new JsonObject
                {
                    ["members"] = new JsonArray(members.Select(m => (JsonNode)new JsonObject
                    {
                        ["id"] = m.Id, ["name"] = m.DisplayName, ["channel"] = m.Channel, ["tenantId"] = m.TenantId, ["userId"] = m.UserId,
                        ["email"] = m.Email, ["role"] = m.Role.ToString(), ["adminGrant"] = m.AdminGrant.ToString(),
                        ["managerId"] = m.ManagerId, ["manager"] = ManagerOf(m),
                    }).ToArray()),
                };
                Console.WriteLine(document.ToJsonString(Json));
                return 0;
            }
            if (members.Count == 0)
            {
                Console.WriteLine("No members yet: members appear once they have written to the bot.");
                return 0;
            }
            string[] header = ["#", "Name", "Channel", "E-mail", "Role", "Manager"];
            var rows = members.Select(m => new[]
            {
                m.Id.ToString(CultureInfo.InvariantCulture), m.DisplayName, m.Channel, m.Email ?? "", RoleText(m), ManagerOf(m) ?? "",
            }).ToList();
            TextTable.Write(header, rows);
            return 0;
        }, ct));
        return list;
    }

    private static Command PromoteCommand()
    {
        var member = MemberArgument();
        var to = new Option<string>("--to") { Description = "The new role.", DefaultValueFactory = _ => "admin" };
        to.AcceptOnlyFromAmong("admin", "manager");
        var promote = new Command("promote", "Make a member admin (kept when Crm:Admins changes) or manager.") { member, to };
        promote.SetAction((parse, ct) => CliHost.RunAsync(writes: true, async services =>
        {
            if (await FindAsync(services, parse.GetValue(member)!, ct) is not { } found) return 1;
            var role = parse.GetValue(to) == "manager" ? MemberRole.Manager : MemberRole.Admin;
            return await SetRoleAsync(services, found, role, raise: true, ct);
        }, ct));
        return promote;
    }

    private static Command DemoteCommand()
    {
        var member = MemberArgument();
        var to = new Option<string?>("--to")
        {
            Description = "The new role; without it an admin becomes a manager when someone is in their team, else a rep, and a manager a rep.",
        };
        to.AcceptOnlyFromAmong("manager", "rep");
        var demote = new Command("demote", "Lower a member's role (the last admin cannot be demoted).") { member, to };
        demote.SetAction((parse, ct) => CliHost.RunAsync(writes: true, async services =>
        {
            if (await FindAsync(services, parse.GetValue(member)!, ct) is not { } found) return 1;
            var role = parse.GetValue(to) switch
            {
                "manager" => MemberRole.Manager,
                "rep" => MemberRole.Rep,
                _ when found.Role == MemberRole.Admin
                    && await services.GetRequiredService<CrmDbContext>().Members.AnyAsync(m => m.ManagerId == found.Id, ct) => MemberRole.Manager,
                _ => MemberRole.Rep,
            };
            return await SetRoleAsync(services, found, role, raise: false, ct);
        }, ct));
        return demote;
    }

    private static Command SetManagerCommand()
    {
        var member = MemberArgument();
        var manager = new Argument<string?>("manager") { Description = "The manager whose team the member joins.", Arity = ArgumentArity.ZeroOrOne };
        var none = new Option<bool>("--none") { Description = "Take the member out of any team." };
        var setManager = new Command("set-manager", "Put a member in a manager's team (whose adoption the manager sees), or in none with --none.")
        {
            member, manager, none,
        };
        setManager.SetAction((parse, ct) => CliHost.RunAsync(writes: true, async services =>
        {
            var managerName = parse.GetValue(manager);
            if (managerName is null == !parse.GetValue(none))
            {
                Console.Error.WriteLine("Give either the manager or --none.");
                return 2;
            }
            if (await FindAsync(services, parse.GetValue(member)!, ct) is not { } found) return 1;
            Member? boss = null;
            if (managerName is not null && (boss = await FindAsync(services, managerName, ct)) is null) return 1;
            try
            {
                await services.GetRequiredService<MemberService>().SetManagerAsync(found.Id, boss?.Id, MemberService.OperatorActor, ct);
            }
            catch (CrmException e)
            {
                Console.Error.WriteLine(e.Message);
                return 1;
            }
            Console.WriteLine(boss is null ? $"{Name(found)} is in no team now." : $"{Name(found)} is now in {Name(boss)}'s team.");
            return 0;
        }, ct));
        return setManager;
    }

    /// <summary>
    /// The role change, as the operator's grant. A promotion never lowers a role and a demotion never raises or keeps
    /// one: that is the other verb, and saying so beats doing what the operator did not ask for.
    /// </summary>
    private static async Task<int> SetRoleAsync(IServiceProvider services, Member member, MemberRole role, bool raise, CancellationToken ct)
    {
        if (raise ? member.Role > role : member.Role <= role)
        {
            Console.Error.WriteLine($"{Name(member)} is {Article(member.Role)} {Lower(member.Role)}; "
                + (raise ? "`members demote` lowers a role." : "`members promote` raises a role."));
            return 1;
        }
        try
        {
            await services.GetRequiredService<MemberService>().SetRoleAsync(member.Id, role, MemberService.OperatorActor, ct, AdminGrant.Operator);
        }
        catch (CrmException e)
        {
            Console.Error.WriteLine(e.Message);
            return 1;
        }
        Console.WriteLine(member.Role != role ? $"{Name(member)} is now {Article(role)} {Lower(role)}."
            : role == MemberRole.Admin ? $"{Name(member)} is an admin already; now by the operator's grant, which Crm:Admins does not take back."
            : $"{Name(member)} is {Article(role)} {Lower(role)} already.");
        return 0;
    }

    /// <summary>The one member meant, or null after saying why not (nobody, or several: which).</summary>
    internal static async Task<Member?> FindAsync(IServiceProvider services, string who, CancellationToken ct)
    {
        var matches = await services.GetRequiredService<MemberService>().MatchAsync(who, ct);
        if (matches.Count == 1) return matches[0];
        Console.Error.WriteLine(matches.Count == 0
            ? $"No member matches “{who}”. `members list` shows them all."
            : $"“{who}” could be {string.Join(", ", matches.Take(5).Select(m => $"{Name(m)} ({m.Channel})"))}: give the member number or e-mail.");
        return null;
    }

    private static string Name(Member m) => $"{m.DisplayName} (#{m.Id.ToString(CultureInfo.InvariantCulture)})";

    private static string RoleText(Member m) => m.Role != MemberRole.Admin ? Lower(m.Role) : m.AdminGrant switch
    {
        AdminGrant.Config => "admin (Crm:Admins)",
        AdminGrant.Chat => "admin (chat)",
        AdminGrant.Operator => "admin (operator)",
        _ => "admin",
    };

    private static string Lower(MemberRole role) => role.ToString().ToLowerInvariant();

    private static string Article(MemberRole role) => role == MemberRole.Admin ? "an" : "a";
}
