using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore.Metadata;

namespace CrmBot.Crm;

/// <summary>
/// An EF compiled query (EF.CompileAsyncQuery) for the questions asked on every turn: it skips EF's
/// per-call expression walk and cache lookup, which cost more than the SQLite query itself (docs/decisions/performance.md, finding 2).
/// EF binds a compiled query to the first model it runs against. Every store normally runs on the one
/// generated compiled model (CompiledModel/), but a context given another model (UseModel) must not get
/// a query bound to the wrong one, so the query is compiled once per model.
/// </summary>
public sealed class CompiledQuery<TDelegate>(Func<TDelegate> compile) where TDelegate : class
{
    private readonly ConditionalWeakTable<IModel, TDelegate> _byModel = new();

    public TDelegate For(CrmDbContext db) => _byModel.GetValue(db.Model, _ => compile());
}
