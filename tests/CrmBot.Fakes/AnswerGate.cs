namespace CrmBot.Fakes;

/// <summary>
/// A fake's switch between answering at once and holding its answers until released: a platform that is slow to
/// answer, as the real ones are over the Internet. Calls are recorded as they arrive either way.
/// </summary>
public sealed class AnswerGate
{
    private volatile TaskCompletionSource _open = Opened();

    /// <summary>From now on, answers wait for <see cref="Release"/>.</summary>
    public void Hold() => _open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Answers every held call, and answers at once again.</summary>
    public void Release() => _open.TrySetResult();

    /// <summary>Completes when an answer may go.</summary>
    public Task WaitAsync() => _open.Task;

    private static TaskCompletionSource Opened()
    {
        var open = new TaskCompletionSource();
        open.SetResult();
        return open;
    }
}
