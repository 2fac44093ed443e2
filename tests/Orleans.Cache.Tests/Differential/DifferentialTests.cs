using Xunit.Abstractions;

namespace Orleans.Cache.Tests.Differential;

/// <summary>
/// Every scenario, in RESP2 and in RESP3, run against a real redis-server and a target with each reply compared byte
/// for byte; the subclasses choose the target. The transcript of a passing run goes to the test output.
/// </summary>
public abstract class DifferentialTests<TFixture>(TFixture fixture, ITestOutputHelper output) where TFixture : IDiffFixture
{
    public static TheoryData<string, int> TransactionRows => Scenarios.Rows(TransactionScenarios.All);
    public static TheoryData<string, int> ScriptRows => Scenarios.Rows(ScriptScenarios.All);
    public static TheoryData<string, int> FunctionRows => Scenarios.Rows(FunctionScenarios.All);
    public static TheoryData<string, int> ServerRows => Scenarios.Rows(ServerScenarios.All);
    public static TheoryData<string, int> LcsRows => Scenarios.Rows(LcsScenarios.All);
    public static TheoryData<string, int> AdminRows => Scenarios.Rows(AdminScenarios.All);
    public static TheoryData<string, int> ConfigRows => Scenarios.Rows(ConfigScenarios.All);
    public static TheoryData<string, int> AclRows => Scenarios.Rows(AclScenarios.All);

    /// <summary>Seeds of the random sequences, each in both protocols.</summary>
    public static TheoryData<int, int> RandomRows
    {
        get
        {
            var rows = new TheoryData<int, int>();
            foreach (var seed in new[] { 1, 2, 3, 4, 5, 6 })
                foreach (var protocol in new[] { 2, 3 })
                    rows.Add(seed, protocol);
            return rows;
        }
    }

    private const int RandomCommandCount = 300;

    private DifferentialHarness Harness => new(fixture.Reference, fixture.Target);

    [Theory, MemberData(nameof(TransactionRows))]
    public async Task Transactions(string scenario, int protocol) =>
        output.WriteLine(await Harness.RunAsync(Scenarios.Find(TransactionScenarios.All, scenario), protocol));

    [Theory, MemberData(nameof(ScriptRows))]
    public async Task Scripts(string scenario, int protocol) =>
        output.WriteLine(await Harness.RunAsync(Scenarios.Find(ScriptScenarios.All, scenario), protocol));

    [Theory, MemberData(nameof(FunctionRows))]
    public async Task Functions(string scenario, int protocol) =>
        output.WriteLine(await Harness.RunAsync(Scenarios.Find(FunctionScenarios.All, scenario), protocol));

    [Theory, MemberData(nameof(ServerRows))]
    public async Task Server_commands(string scenario, int protocol) =>
        output.WriteLine(await Harness.RunAsync(Scenarios.Find(ServerScenarios.All, scenario), protocol));

    [Theory, MemberData(nameof(LcsRows))]
    public async Task Lcs(string scenario, int protocol) =>
        output.WriteLine(await Harness.RunAsync(Scenarios.Find(LcsScenarios.All, scenario), protocol));

    [Theory, MemberData(nameof(AdminRows))]
    public async Task Admin_commands(string scenario, int protocol) =>
        output.WriteLine(await Harness.RunAsync(Scenarios.Find(AdminScenarios.All, scenario), protocol));

    [Theory, MemberData(nameof(ConfigRows))]
    public async Task Config(string scenario, int protocol) =>
        output.WriteLine(await Harness.RunAsync(Scenarios.Find(ConfigScenarios.All, scenario), protocol));

    [Theory, MemberData(nameof(AclRows))]
    public async Task Acl(string scenario, int protocol) =>
        output.WriteLine(await Harness.RunAsync(Scenarios.Find(AclScenarios.All, scenario), protocol));

    [Theory, MemberData(nameof(RandomRows))]
    public async Task Random_command_sequences(int seed, int protocol) =>
        output.WriteLine(await Harness.RunAsync($"random sequence, seed {seed}", RandomCommands.Generate(seed, RandomCommandCount), protocol));

    /// <summary>The same generator without transactions and scripts: the data commands the others are built from.</summary>
    [Theory, MemberData(nameof(RandomRows))]
    public async Task Random_data_command_sequences(int seed, int protocol) =>
        output.WriteLine(await Harness.RunAsync($"random data sequence, seed {seed}",
            RandomCommands.Generate(seed, RandomCommandCount, transactionsAndScripts: false), protocol));
}

/// <summary>The self-check: two redis-servers agree on every scenario, so the scenarios and the harness are deterministic.</summary>
[Collection(RedisPairCollection.Name)]
public sealed class RedisSelfDifferentialTests(RedisPairFixture fixture, ITestOutputHelper output)
    : DifferentialTests<RedisPairFixture>(fixture, output);

/// <summary>Orleans.Cache (2 silos; connection A on silo 0, B on silo 1) answers every scenario as redis-server does.</summary>
[Collection(OrleansDiffCollection.Name)]
public sealed class OrleansCacheDifferentialTests(OrleansDiffFixture fixture, ITestOutputHelper output)
    : DifferentialTests<OrleansDiffFixture>(fixture, output);
