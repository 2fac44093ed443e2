using System.Text;
using Orleans.Cache.Core;

namespace Orleans.Cache.Core.Tests.Engine;

/// <summary>A handler that throws fails its own command: the batch's other commands run, and their writes stand.</summary>
public sealed class CommandFailureTests
{
    private static Command C(params string[] argv) =>
        new(argv[0] == "DEBUG" ? CommandTable.Subcommand("DEBUG|THROW") : CommandTable.Find(argv[0])!, [.. argv.Select(Encoding.UTF8.GetBytes)]);

    [Fact]
    public void A_throwing_handler_answers_its_own_error_and_the_rest_of_the_batch_runs()
    {
        var engine = new PartitionEngine();
        var failures = new List<string>();
        engine.CommandFailed = (e, command) => failures.Add(command.Name);
        var replies = engine.TryExecute([C("SET", "a", "1"), C("DEBUG", "THROW", "a"), C("INCR", "a"), C("RPUSH", "l", "x")])!;

        Assert.Equal("OK", replies[0].Text);
        Assert.Equal("ERR internal error: DEBUG THROW failed on purpose in the partition of 'a'", replies[1].Text);
        Assert.Equal(2, replies[2].Integer);
        Assert.Equal(1, replies[3].Integer);
        Assert.Single(failures);
        var after = engine.TryExecute([C("LLEN", "l"), C("GET", "a")])!;
        Assert.Equal(1, after[0].Integer);
        Assert.Equal("2", Encoding.UTF8.GetString(after[1].Bytes!));
    }
}
