using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Orleans.Cache.Client;

namespace Orleans.Cache.AspNetCore;

/// <summary>The Data Protection key ring in one list (as the StackExchange.Redis repository keeps it): every app instance reads the same keys.</summary>
internal sealed class XmlRepository(ICache cache, string key) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements() =>
        [.. cache.ListRangeAsync(key).GetAwaiter().GetResult().Select(x => XElement.Parse(x))];

    public void StoreElement(XElement element, string friendlyName) =>
        cache.ListPushAsync(key, [element.ToString(SaveOptions.DisableFormatting)]).GetAwaiter().GetResult();
}
