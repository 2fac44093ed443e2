namespace Orleans.Cache.Tests.Differential;

/// <summary>
/// ACL users as redis-server 7.0.15 answers: SETUSER rules and GETUSER's description of them, AUTH and WHOAMI, NOPERM for
/// commands, keys and channels (connection B is on the other silo, so every user set through A is enforced there), ACL
/// CAT, DRYRUN and the argument errors. Orleans.Cache answers the NOPERM texts of Redis 7.2 (the version it reports), so
/// the 7.0 and 7.2 wordings are normalized to one before comparing. Left out: ACL LOG (7.2 added fields; its shape is
/// tested over RESP), GENPASS's random output, ACL LIST and USERS (they list every user of the shared servers), and rules
/// whose description lists several single commands (redis-server prints those in hash-table order). Every scenario
/// deletes the users it created; user names and keys carry the run's prefix.
/// </summary>
public static class AclScenarios
{
    private static Scenario Normalized(Scenario scenario) => scenario
        .Normalize(@"-NOPERM (?:this user|User \S+) has no permissions to run the '([^']*)' command", "-NOPERM <command $1>")
        .Normalize(@"-NOPERM (?:this user has no permissions to access one of the keys used as arguments|No permissions to access a key)", "-NOPERM <key>")
        .Normalize(@"-NOPERM (?:this user has no permissions to access one of the channels used as arguments|No permissions to access a channel)", "-NOPERM <channel>")
        .Normalize(@"\$\d+\\r\\n(?:This user|User \S+) has no permissions to run the '([^']*)' command", "$$N\\r\\n<command $1>")
        .Normalize(@"\$\d+\\r\\n(?:This user has no|No) permissions to access the '([^']*)' (key|channel)", "$$N\\r\\n<$2 $1>");

    public static readonly Scenario[] All =
    [
        Normalized(new("acl_setuser_rules_as_getuser_describes_them",
            "ACL SETUSER @a", "ACL GETUSER @a",
            "ACL SETUSER @a on >pw ~app:* %R~ro:* %W~wo:* &news.* +@string -get", "ACL GETUSER @a",
            "ACL SETUSER @a resetkeys allkeys resetchannels +@all -@dangerous", "ACL GETUSER @a",
            "ACL SETUSER @a resetkeys ~x ~x %R~x %W~y", "ACL GETUSER @a",
            "ACL SETUSER @a reset", "ACL GETUSER @a",
            "ACL SETUSER @a +config|get", "ACL GETUSER @a",
            "ACL SETUSER @a +config -config|set", "ACL GETUSER @a",
            "ACL SETUSER @a nocommands +select|0", "ACL GETUSER @a",
            "ACL SETUSER @a +@all -@string +get", "ACL GETUSER @a",
            "ACL SETUSER @a >p1 >p2 <p1 #30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4", "ACL GETUSER @a",
            "ACL SETUSER @a !30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4", "ACL GETUSER @a",
            "ACL SETUSER @a nopass skip-sanitize-payload on allchannels", "ACL GETUSER @a",
            "ACL SETUSER @a resetpass off", "ACL GETUSER @a",
            "ACL GETUSER @nosuch", "ACL DELUSER @a @nosuch", "ACL DELUSER @a", "ACL GETUSER @a")),
        Normalized(new("acl_auth_whoami_and_noperm_on_the_other_silo",
            "A: ACL SETUSER @u on >pw ~@app:* %R~@ro:* &@news.* -@all +get +set +publish +acl|whoami +lpush +lpop +multi +exec +config|get",
            "B: AUTH @u wrong", "B: AUTH @nosuch pw", "B: ACL WHOAMI", "B: AUTH @u pw", "B: ACL WHOAMI",
            "B: SET @app:1 v", "B: GET @app:1", "B: GET @other", "B: SET @ro:1 v", "B: GET @ro:1", "B: LPUSH @ro:2 a",
            "B: LPUSH @app:2 a", "B: LPOP @app:2", "B: DEL @app:1", "B: CONFIG SET hz 10", "B: CONFIG GET maxmemory-policy",
            "B: PUBLISH @news.x m", "B: PUBLISH @other m",
            "B: MULTI", "B: GET @app:1", "B: DEL @app:1", "B: GET @other", "B: EXEC",
            "B: MULTI", "B: SET @app:1 w", "B: GET @app:1", "B: EXEC",
            "A: ACL SETUSER @u -set", "B: SET @app:1 x", "B: GET @app:1",
            "A: ACL SETUSER @u off", "B: GET @app:1", "B: AUTH @u pw",
            "B: AUTH default anything", "B: ACL WHOAMI",
            "A: ACL DELUSER @u")),
        Normalized(new("acl_dryrun",
            "ACL SETUSER @d on nopass ~k:* &c -@all +get +publish +subscribe",
            "ACL DRYRUN @d get k:1", "ACL DRYRUN @d get x", "ACL DRYRUN @d set k:1 v", "ACL DRYRUN @d publish d m",
            "ACL DRYRUN @d publish c m", "ACL DRYRUN @d subscribe c d", "ACL DRYRUN @d get", "ACL DRYRUN @d nocmd",
            "ACL DRYRUN @nosuch get k", "ACL DRYRUN @d", "ACL DELUSER @d")),
        new("acl_cat_and_argument_errors",
            "ACL CAT", "ACL CAT nocat", "ACL CAT string x",
            "ACL SETUSER @b ~x allkeys ~y", "ACL SETUSER @b foo", "ACL SETUSER @b +nocmd", "ACL SETUSER @b +@nocat",
            "ACL SETUSER @b <nopw", "ACL SETUSER @b #abc", "ACL SETUSER @b !abc", "ACL SETUSER @b &x allchannels &y",
            "ACL SETUSER @b %X~x", "ACL SETUSER @b +config|nosub", "ACL SETUSER 'a b'", "ACL GETUSER @b",
            "ACL DELUSER default", "ACL DELUSER @b default", "ACL FOO", "ACL", "ACL WHOAMI x", "ACL GETUSER", "ACL SETUSER",
            "ACL DELUSER", "ACL DRYRUN x", "ACL USERS x", "ACL LIST x", "ACL GENPASS 0", "ACL GENPASS 4097",
            "ACL GENPASS x", "ACL GENPASS 1 2", "ACL LOG x", "ACL LOG 1 2", "ACL LOAD", "ACL SAVE", "ACL HELP", "ACL WHOAMI",
            "AUTH default x", "AUTH x", "AUTH a b c"),
    ];
}
