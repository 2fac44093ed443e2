namespace Orleans.Cache.Core.Scripting;

/// <summary>What a script's redis.call / redis.pcall reach: the partition runs the command (routing/slot checks, the keyspace).</summary>
internal interface IScriptHost
{
    /// <summary>Runs one command already checked by the engine (known, right arity, allowed in scripts); errors come back as error replies.</summary>
    Reply Call(CommandInfo command, byte[][] argv);
}
