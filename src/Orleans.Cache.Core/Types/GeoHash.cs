namespace Orleans.Cache.Core;

/// <summary>
/// Redis's geo encoding (geohash.c, geohash_helper.c): a position is a 52-bit interleaved geohash (26 bits of latitude
/// on even bits, 26 of longitude on odd bits) stored as a sorted set score, so radius searches become a few score
/// ranges: the cell around the centre and its eight neighbours, at a precision chosen from the radius.
/// </summary>
internal static class GeoHash
{
    public const double LatMin = -85.05112878, LatMax = 85.05112878, LonMin = -180, LonMax = 180;
    public const int MaxStep = 26;
    public const double EarthRadius = 6372797.560856;
    private const double MercatorMax = 20037726.37;

    /// <summary>A cell: its interleaved bits at a precision of <see cref="Step"/> bits per coordinate.</summary>
    public readonly record struct Cell(ulong Bits, int Step)
    {
        /// <summary>The score range [Min, Max) of members inside this cell.</summary>
        public (ulong Min, ulong Max) Scores => (Bits << (52 - 2 * Step), (Bits + 1) << (52 - 2 * Step));
    }

    public readonly record struct Area(double LonMin, double LonMax, double LatMin, double LatMax);

    public static bool IsValid(double lon, double lat) => lon >= LonMin && lon <= LonMax && lat >= LatMin && lat <= LatMax;

    public static Cell Encode(double lon, double lat, int step = MaxStep, double latMin = LatMin, double latMax = LatMax)
    {
        double latOffset = (lat - latMin) / (latMax - latMin) * (1UL << step);
        double lonOffset = (lon - LonMin) / (LonMax - LonMin) * (1UL << step);
        return new Cell(Interleave((uint)latOffset, (uint)lonOffset), step);
    }

    public static Area Decode(Cell cell, double latMin = LatMin, double latMax = LatMax)
    {
        var (latIndex, lonIndex) = Deinterleave(cell.Bits);
        double cells = 1UL << cell.Step, latScale = latMax - latMin, lonScale = LonMax - LonMin;
        return new Area(
            LonMin + lonIndex / cells * lonScale, LonMin + (lonIndex + 1.0) / cells * lonScale,
            latMin + latIndex / cells * latScale, latMin + (latIndex + 1.0) / cells * latScale);
    }

    /// <summary>The centre of a member's cell: the position GEOPOS reports for a score.</summary>
    public static (double Lon, double Lat) Position(double score)
    {
        var area = Decode(new Cell((ulong)score, MaxStep));
        double lon = Math.Clamp((area.LonMin + area.LonMax) / 2, LonMin, LonMax);
        double lat = Math.Clamp((area.LatMin + area.LatMax) / 2, LatMin, LatMax);
        return (lon, lat);
    }

    private static ulong Spread(uint v)
    {
        ulong x = v;
        x = (x | (x << 16)) & 0x0000FFFF0000FFFFUL;
        x = (x | (x << 8)) & 0x00FF00FF00FF00FFUL;
        x = (x | (x << 4)) & 0x0F0F0F0F0F0F0F0FUL;
        x = (x | (x << 2)) & 0x3333333333333333UL;
        x = (x | (x << 1)) & 0x5555555555555555UL;
        return x;
    }

    private static uint Squeeze(ulong x)
    {
        x &= 0x5555555555555555UL;
        x = (x | (x >> 1)) & 0x3333333333333333UL;
        x = (x | (x >> 2)) & 0x0F0F0F0F0F0F0F0FUL;
        x = (x | (x >> 4)) & 0x00FF00FF00FF00FFUL;
        x = (x | (x >> 8)) & 0x0000FFFF0000FFFFUL;
        x = (x | (x >> 16)) & 0x00000000FFFFFFFFUL;
        return (uint)x;
    }

    private static ulong Interleave(uint lat, uint lon) => Spread(lat) | (Spread(lon) << 1);
    private static (uint Lat, uint Lon) Deinterleave(ulong bits) => (Squeeze(bits), Squeeze(bits >> 1));

    /// <summary>The cell <paramref name="dLon"/> columns east and <paramref name="dLat"/> rows north, wrapping around.</summary>
    public static Cell Move(Cell cell, int dLon, int dLat)
    {
        var (lat, lon) = Deinterleave(cell.Bits);
        uint mask = cell.Step == 32 ? uint.MaxValue : (1U << cell.Step) - 1;
        return new Cell(Interleave((uint)(lat + dLat) & mask, (uint)(lon + dLon) & mask), cell.Step);
    }

    public static double ToRadians(double degrees) => degrees * (Math.PI / 180.0);

    /// <summary>Great-circle distance in meters (haversine, on Redis's earth radius).</summary>
    public static double Distance(double lon1, double lat1, double lon2, double lat2)
    {
        double v = Math.Sin((ToRadians(lon2) - ToRadians(lon1)) / 2);
        if (v == 0.0) return LatDistance(lat1, lat2); // same meridian: the haversine reduces to the latitude difference
        double lat1r = ToRadians(lat1), lat2r = ToRadians(lat2);
        double u = Math.Sin((lat2r - lat1r) / 2);
        return 2.0 * EarthRadius * Math.Asin(Math.Sqrt(u * u + Math.Cos(lat1r) * Math.Cos(lat2r) * v * v));
    }

    public static double LatDistance(double lat1, double lat2) => EarthRadius * Math.Abs(ToRadians(lat2) - ToRadians(lat1));

    /// <summary>Bits of precision whose cells are about as large as the radius (wider towards the poles).</summary>
    public static int StepsForRadius(double meters, double lat)
    {
        if (meters == 0) return MaxStep;
        int step = 1;
        while (meters < MercatorMax)
        {
            meters *= 2;
            step++;
        }
        step -= 2;
        if (lat > 66 || lat < -66)
        {
            step--;
            if (lat > 80 || lat < -80) step--;
        }
        return Math.Clamp(step, 1, MaxStep);
    }

    /// <summary>
    /// The cells to scan for a search around (lon, lat): the centre's cell and its neighbours in Redis's order
    /// (centre, N, S, E, W, NE, NW, SE, SW), null for neighbours that cannot hold results.
    /// </summary>
    public static Cell?[] SearchCells(double lon, double lat, double radiusMeters, Area bounds)
    {
        int steps = StepsForRadius(radiusMeters, lat);
        var centre = Encode(lon, lat, steps);
        // When a neighbour does not reach the edge of the search's bounding box, the 3x3 block is too small: go coarser.
        var north = Decode(Move(centre, 0, 1));
        var south = Decode(Move(centre, 0, -1));
        var east = Decode(Move(centre, 1, 0));
        var west = Decode(Move(centre, -1, 0));
        if (steps > 1 && (north.LatMax < bounds.LatMax || south.LatMin > bounds.LatMin ||
                          east.LonMax < bounds.LonMax || west.LonMin > bounds.LonMin))
            centre = Encode(lon, lat, --steps);
        var area = Decode(centre);
        bool noSouth = false, noNorth = false, noWest = false, noEast = false;
        if (steps >= 2)
        {
            noSouth = area.LatMin < bounds.LatMin;
            noNorth = area.LatMax > bounds.LatMax;
            noWest = area.LonMin < bounds.LonMin;
            noEast = area.LonMax > bounds.LonMax;
        }
        Cell? At(int dLon, int dLat, bool skip) => skip ? null : Move(centre, dLon, dLat);
        return
        [
            centre,
            At(0, 1, noNorth), At(0, -1, noSouth), At(1, 0, noEast), At(-1, 0, noWest),
            At(1, 1, noNorth || noEast), At(-1, 1, noNorth || noWest), At(1, -1, noSouth || noEast), At(-1, -1, noSouth || noWest),
        ];
    }

    /// <summary>The lon/lat box that contains a circle of <paramref name="halfWidth"/> / a box of half sizes (meters).</summary>
    public static Area BoundingBox(double lon, double lat, double halfWidth, double halfHeight)
    {
        double latDelta = halfHeight / EarthRadius * (180.0 / Math.PI);
        double lonDeltaTop = halfWidth / EarthRadius / Math.Cos(ToRadians(lat + latDelta)) * (180.0 / Math.PI);
        double lonDeltaBottom = halfWidth / EarthRadius / Math.Cos(ToRadians(lat - latDelta)) * (180.0 / Math.PI);
        double lonDelta = lat < 0 ? lonDeltaBottom : lonDeltaTop;
        return new Area(lon - lonDelta, lon + lonDelta, lat - latDelta, lat + latDelta);
    }

    private const string Base32 = "0123456789bcdefghjkmnpqrstuvwxyz";

    /// <summary>The standard 11-character geohash (latitude over ±90) of a stored score, as GEOHASH answers.</summary>
    public static string ToGeohashString(double score)
    {
        var (lon, lat) = Position(score);
        ulong bits = Encode(lon, lat, MaxStep, -90, 90).Bits;
        var chars = new char[11];
        for (int i = 0; i < 11; i++)
            chars[i] = Base32[i == 10 ? 0 : (int)((bits >> (52 - (i + 1) * 5)) & 0x1F)];
        return new string(chars);
    }
}
