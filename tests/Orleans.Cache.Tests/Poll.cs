namespace Orleans.Cache.Tests;

/// <summary>
/// Waiting for what a real process, a socket, a grain or a timer does: the condition is checked every 20 ms until it
/// holds, and the test fails at the deadline. Clocks that a test drives (expiry, back-offs) are advanced by the test
/// inside the condition, never slept on.
/// </summary>
internal static class Poll
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(20);

    public static Task Until(Func<bool> condition, string what, TimeSpan within) =>
        Until(() => Task.FromResult(condition()), what, within);

    public static async Task Until(Func<Task<bool>> condition, string what, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"waited {within.TotalSeconds:0.#} s for {what}");
            await Task.Delay(Interval);
        }
    }
}
