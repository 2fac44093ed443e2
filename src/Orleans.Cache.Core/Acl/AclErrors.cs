namespace Orleans.Cache.Core.Acl;

/// <summary>Redis 7.2's texts for ACL denials (getAclErrorMessage) and failed logins.</summary>
internal static class AclErrors
{
    public static readonly Reply WrongPass = Reply.Error("WRONGPASS invalid username-password pair or user is disabled.");

    /// <summary>The -NOPERM reply to a denied command.</summary>
    public static Reply NoPerm(AclDenial denial, string user, string what) => Reply.Error("NOPERM " + Message(denial, user, what, verbose: false));

    /// <summary>
    /// The message: "User alice has no permissions to run the 'get' command", "No permissions to access a key" / "a
    /// channel", or with <paramref name="verbose"/> (ACL DRYRUN) the key or channel named.
    /// </summary>
    public static string Message(AclDenial denial, string user, string what, bool verbose) => denial switch
    {
        AclDenial.Command => $"User {user} has no permissions to run the '{what}' command",
        AclDenial.Key => verbose ? $"No permissions to access the '{what}' key" : "No permissions to access a key",
        AclDenial.Channel => verbose ? $"No permissions to access the '{what}' channel" : "No permissions to access a channel",
        _ => "",
    };

    /// <summary>EXEC's reply for a queued command the user's rules no longer allow (Redis's execCommand).</summary>
    public static Reply ChangedSinceQueued(AclDenial denial) => Reply.Error(
        "NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. " +
        "This command is no longer allowed for the following reason: " + denial switch
        {
            AclDenial.Command => "no permission to execute the command or subcommand",
            AclDenial.Key => "no permission to touch the specified keys",
            AclDenial.Channel => "no permission to access one of the channels used as arguments",
            _ => "no permission",
        });
}
