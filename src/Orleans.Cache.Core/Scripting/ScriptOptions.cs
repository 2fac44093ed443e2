namespace Orleans.Cache.Core.Scripting;

/// <summary>How one EVAL / FCALL runs.</summary>
internal sealed class ScriptOptions
{
    /// <summary>The calling client's protocol (2 or 3); the RESP writer encodes the returned reply for it.</summary>
    public int Protocol = 2;

    /// <summary>EVAL_RO / FCALL_RO (or a replica): write commands are refused inside the script.</summary>
    public bool ReadOnly;
}
