using Orleans.Runtime;
using Orleans.Storage;

namespace Orleans.Cache.Grains;

/// <summary>
/// Grain storage in a local folder: one file per grain and state name, replaced atomically (write to a
/// temporary file, then rename), so a crash never leaves half a file. The embedded default for snapshots,
/// needing no set-up. One activation per grain writes at a time, so ETags are informational here.
/// </summary>
internal sealed class FileGrainStorage(string directory, IGrainStorageSerializer serializer) : IGrainStorage
{
    private string PathOf(string stateName, GrainId grainId)
    {
        var folder = Path.Combine(directory, Safe(grainId.ToString()));
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, Safe(stateName) + ".bin");
    }

    private static string Safe(string name) =>
        string.Concat(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_'));

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var path = PathOf(stateName, grainId);
        if (!File.Exists(path))
        {
            grainState.RecordExists = false;
            grainState.ETag = null;
            return;
        }
        var bytes = await File.ReadAllBytesAsync(path);
        try
        {
            grainState.State = serializer.Deserialize<T>(new BinaryData(bytes));
        }
        catch (Exception e)
        {
            throw new InvalidDataException($"'{path}' is not a readable {typeof(T).Name}: {e.Message}", e);
        }
        grainState.RecordExists = true;
        grainState.ETag = File.GetLastWriteTimeUtc(path).Ticks.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var path = PathOf(stateName, grainId);
        var temp = path + ".tmp";
        var data = serializer.Serialize(grainState.State);
        try
        {
            await using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            {
                await file.WriteAsync(data.ToMemory());
                await file.FlushAsync();
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            // Out of disk space (or any other failure): the half-written temporary file goes, the previous file stays.
            try { File.Delete(temp); }
            catch (IOException) { }
            throw;
        }
        grainState.RecordExists = true;
        grainState.ETag = File.GetLastWriteTimeUtc(path).Ticks.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        File.Delete(PathOf(stateName, grainId));
        grainState.RecordExists = false;
        grainState.ETag = null;
        return Task.CompletedTask;
    }
}
