using Orleans.Cache.Core;

namespace Orleans.Cache.Core.Tests;

/// <summary>Expected values are what redis-server 7.0.15 answers for the same commands.</summary>
public class GeoTests
{
    private readonly TypesDb _db = new();

    private void Sicily() => _db.Do("GEOADD", "g", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania");

    [Fact]
    public void Geoadd_stores_52_bit_geohash_scores_in_a_sorted_set()
    {
        Assert.Equal("2", _db.Do("GEOADD", "g", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania"));
        Assert.Equal("zset", _db.Do("TYPE", "g"));
        Assert.Equal("3479099956230698", _db.Do("ZSCORE", "g", "Palermo"));
        Assert.Equal("1", _db.Do("GEOADD", "g", "CH", "13.361389", "38.115556", "Palermo", "15", "37", "Catania"));
        Assert.Equal("0", _db.Do("GEOADD", "g", "XX", "1", "1", "newone"));
        Assert.Equal("ERR invalid longitude,latitude pair 200.000000,10.000000", _db.Do("GEOADD", "g", "200", "10", "bad"));
        Assert.Equal("ERR syntax error", _db.Do("GEOADD", "g", "NX", "XX", "1", "2", "a"));
        Assert.Equal("ERR value is not a valid float", _db.Do("GEOADD", "g", "x", "2", "a"));
    }

    [Fact]
    public void Geopos_geohash_and_geodist_match_redis()
    {
        Sicily();
        Assert.Equal("[[13.36138933897018433,38.11555639549629859],nil]", _db.Do("GEOPOS", "g", "Palermo", "nope"));
        Assert.Equal("[sqc8b49rny0,sqdtr74hyu0,nil]", _db.Do("GEOHASH", "g", "Palermo", "Catania", "nope"));
        Assert.Equal("166274.1516", _db.Do("GEODIST", "g", "Palermo", "Catania"));
        Assert.Equal("166.2742", _db.Do("GEODIST", "g", "Palermo", "Catania", "km"));
        Assert.Equal("nil", _db.Do("GEODIST", "g", "Palermo", "nope"));
        Assert.Equal("ERR unsupported unit provided. please use M, KM, FT, MI", _db.Do("GEODIST", "g", "Palermo", "Catania", "yd"));
        _db.Do("GEOADD", "g", "180", "85.05112878", "edge");
        Assert.Equal("[[180,85.0511287799999991]]", _db.Do("GEOPOS", "g", "edge"));
    }

    [Fact]
    public void Geosearch_by_radius_and_box_with_all_options()
    {
        Sicily();
        Assert.Equal("[[Catania,56.4413,3479447370796909,[15.08726745843887329,37.50266842333162032]]," +
                     "[Palermo,190.4424,3479099956230698,[13.36138933897018433,38.11555639549629859]]]",
            _db.Do("GEOSEARCH", "g", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "ASC", "WITHCOORD", "WITHDIST", "WITHHASH"));
        Assert.Equal("[Catania]", _db.Do("GEOSEARCH", "g", "FROMMEMBER", "Palermo", "BYBOX", "400", "400", "km", "DESC", "COUNT", "1"));
        Assert.Equal("[Palermo]", _db.Do("GEOSEARCH", "g", "FROMMEMBER", "Palermo", "BYRADIUS", "0", "km"));
        Assert.Equal("[[Palermo,0.0000],[Catania,166.2742]]", _db.Do("GEORADIUSBYMEMBER", "g", "Palermo", "200", "km", "WITHDIST", "ASC"));
        Assert.Equal("[[Catania,56.4413]]", _db.Do("GEORADIUS", "g", "15", "37", "200", "km", "COUNT", "1", "WITHDIST"));
        Assert.Equal("[]", _db.Do("GEOSEARCH", "nokey", "FROMLONLAT", "1", "2", "BYRADIUS", "1", "km"));
    }

    [Fact]
    public void Geosearch_finds_exactly_the_members_within_the_radius_across_cell_boundaries()
    {
        var random = new Random(5);
        var points = new List<(string Name, double Lon, double Lat)>();
        for (int i = 0; i < 400; i++)
        {
            var p = ("p" + i, random.NextDouble() * 60 - 20, random.NextDouble() * 40 + 20);
            points.Add(p);
            _db.Do("GEOADD", "w", p.Item2.ToString("R"), p.Item3.ToString("R"), p.Item1);
        }
        foreach (var radius in new[] { 50, 300, 1000, 4000 })
        {
            double lon = random.NextDouble() * 40 - 10, lat = random.NextDouble() * 30 + 25;
            var found = _db.Run("GEOSEARCH", "w", "FROMLONLAT", lon.ToString("R"), lat.ToString("R"), "BYRADIUS", radius.ToString(), "km")
                .Items!.Select(TypesDb.Render).ToHashSet();
            // Every stored position is within ~1 m of the one given, far below the margin used here.
            foreach (var (name, plon, plat) in points)
            {
                double d = GeoHash.Distance(lon, lat, plon, plat);
                if (d < radius * 1000 - 10) Assert.Contains(name, found);
                if (d > radius * 1000 + 10) Assert.DoesNotContain(name, found);
            }
        }
    }

    [Fact]
    public void Store_forms_write_scores_or_distances_and_reject_with_options()
    {
        Sicily();
        Assert.Equal("2", _db.Do("GEOSEARCHSTORE", "d", "g", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "STOREDIST"));
        Assert.Equal("[Catania,56.4412578701582,Palermo,190.44242984775784]", _db.Do("ZRANGE", "d", "0", "-1", "WITHSCORES"));
        Assert.Equal("2", _db.Do("GEORADIUS", "g", "15", "37", "200", "km", "STORE", "d"));
        Assert.Equal("3479099956230698", _db.Do("ZSCORE", "d", "Palermo"));
        Assert.Equal("0", _db.Do("GEOSEARCHSTORE", "d", "nokey", "FROMLONLAT", "1", "2", "BYRADIUS", "1", "km"));
        Assert.Equal("0", _db.Do("EXISTS", "d"));
        Assert.Equal("ERR GEOSEARCHSTORE is not compatible with WITHDIST, WITHHASH and WITHCOORD options",
            _db.Do("GEOSEARCHSTORE", "d", "g", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "WITHDIST"));
        Assert.Equal("ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and WITHCOORD options",
            _db.Do("GEORADIUS", "g", "15", "37", "200", "km", "WITHDIST", "STORE", "d"));
        Assert.Equal("ERR syntax error", _db.Do("GEORADIUS_RO", "g", "15", "37", "200", "km", "STORE", "d"));
        Assert.Equal([1, 7], CommandTable.Find("GEORADIUS")!.KeyIndexes(
            new[] { "GEORADIUS", "g", "15", "37", "200", "km", "STORE", "d" }.Select(Args.Bytes).ToArray()).Order().ToArray());
    }

    [Fact]
    public void Geosearch_errors_match_redis()
    {
        Sicily();
        Assert.Equal("ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for GEOSEARCH",
            _db.Do("GEOSEARCH", "g", "BYBOX", "1", "1", "km", "ASC", "COUNT", "1"));
        Assert.Equal("ERR exactly one of BYRADIUS and BYBOX can be specified for GEOSEARCH",
            _db.Do("GEOSEARCH", "g", "FROMLONLAT", "1", "2", "ASC", "COUNT", "1", "ANY"));
        Assert.Equal("ERR height or width cannot be negative", _db.Do("GEOSEARCH", "g", "FROMLONLAT", "1", "2", "BYBOX", "-1", "1", "km"));
        Assert.Equal("ERR need numeric radius", _db.Do("GEOSEARCH", "g", "FROMLONLAT", "1", "2", "BYRADIUS", "x", "km"));
        Assert.Equal("ERR radius cannot be negative", _db.Do("GEOSEARCH", "g", "FROMLONLAT", "1", "2", "BYRADIUS", "-1", "km"));
        Assert.Equal("ERR COUNT must be > 0", _db.Do("GEOSEARCH", "g", "FROMLONLAT", "1", "2", "BYRADIUS", "1", "km", "COUNT", "0"));
        Assert.Equal("ERR the ANY argument requires COUNT argument", _db.Do("GEORADIUS", "g", "15", "37", "200", "km", "ANY"));
        Assert.Equal("ERR could not decode requested zset member", _db.Do("GEORADIUSBYMEMBER", "g", "nope", "1", "km"));
        Assert.Equal("ERR syntax error", _db.Do("GEOSEARCH", "g", "FROMLONLAT", "1", "2", "BYRADIUS", "1", "km", "BYBOX", "1", "1", "km"));
        Assert.Equal("ERR invalid longitude,latitude pair 181.000000,2.000000", _db.Do("GEOSEARCH", "g", "FROMLONLAT", "181", "2", "BYRADIUS", "1", "km"));
        _db.Do("SET", "s", "v");
        Assert.Equal(TypesDb.WrongType, _db.Do("GEOADD", "s", "1", "1", "a"));
    }
}
