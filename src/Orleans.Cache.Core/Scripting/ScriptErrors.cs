namespace Orleans.Cache.Core.Scripting;

/// <summary>Redis's scripting error texts (checked against redis-server 7.0).</summary>
internal static class ScriptErrors
{
    public static readonly Reply NoScript = Reply.Error("NOSCRIPT No matching script. Please use EVAL.");
    public static readonly Reply WriteFlagWithRo = Reply.Error("ERR Can not execute a script with write flag using *_ro command.");
    public static readonly Reply FunctionNotFound = Reply.Error("ERR Function not found");
    public static readonly Reply LibraryNotFound = Reply.Error("ERR Library not found");
    public static readonly Reply BadPayload = Reply.Error("ERR DUMP payload version or checksum are wrong");
    public static readonly Reply BadRestorePolicy =
        Reply.Error("ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.");

    public static readonly Reply NotBusy = Reply.Error("NOTBUSY No scripts in execution right now.");
    public static readonly Reply Unkillable = Reply.Error(
        "UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.");
    public static readonly Reply BusyScript = Reply.Error("BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.");
    public static readonly Reply BusyFunction = Reply.Error("BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.");

    public const string KilledBeforeWrite = "ERR Script killed by user with SCRIPT KILL...";
    public const string NoArguments = "ERR Please specify at least one argument for this redis lib call";
    public const string BadArgument = "ERR Lua redis lib command arguments must be strings or integers";
    public const string UnknownCommand = "ERR Unknown Redis command called from script";
    public const string WrongArity = "ERR Wrong number of args calling Redis command from script";
    public const string NotAllowed = "ERR This Redis command is not allowed from script";
    public const string WriteInReadOnly = "ERR Write commands are not allowed from read-only scripts.";
    public const string BadLibraryName =
        "Library names can only contain letters, numbers, or underscores(_) and must be at least one character long";

    /// <summary>
    /// An error reply's text as a script sees it in {err=...}: Redis keeps the code (the first word) when the text has
    /// one, else puts "ERR " in front; a trailing line break goes.
    /// </summary>
    public static string ForScript(string text)
    {
        if (text.StartsWith('-')) text = text[1..];
        text = text.TrimEnd('\r', '\n');
        return text.Contains(' ') ? text : "ERR " + text;
    }
}
