#!/usr/bin/env bash
# Packs the solution into a folder, then builds and runs a fresh console app (outside the repository, so none of its
# build settings apply) whose only reference is the silo package, Orleans.Cache.Server, from that folder. The app is
# the co-hosted program in README.md (the C# block after "<!-- pack-and-consume: Program.cs -->"); it must print hello.
# Everything else (Orleans and its dependencies) restores from the NuGet feeds this machine is configured with.
# Usage: bash tests/packages/pack-and-consume.sh [work-folder]   (default: a new temporary folder, removed after)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=${1:-$(mktemp -d)}
[ $# -eq 0 ] && trap 'rm -rf "$work"' EXIT
mkdir -p "$work"
packages=$work/packages   # the packed .nupkg / .snupkg files: the only source of Orleans.Cache.*
app=$work/app             # the fresh console app
cache=$work/nuget         # its own global packages folder, so no Orleans.Cache.* package comes from an earlier restore

version=$(dotnet msbuild "$repo/src/Orleans.Cache.Server" -getProperty:Version -nologo)
echo "pack-and-consume: packing Orleans.Cache $version into $packages"
dotnet pack "$repo/Orleans.Cache.sln" -c Release -o "$packages" -nologo -v quiet
for id in Server Client AspNetCore Testing Grains Resp Execution Abstractions Core; do
  [ -f "$packages/Orleans.Cache.$id.$version.nupkg" ] || { echo "pack-and-consume: Orleans.Cache.$id.$version.nupkg missing" >&2; exit 1; }
done
for id in Client AspNetCore Testing Grains Resp Execution Abstractions Core; do
  [ -f "$packages/Orleans.Cache.$id.$version.snupkg" ] || { echo "pack-and-consume: Orleans.Cache.$id.$version.snupkg (symbols) missing" >&2; exit 1; }
done
if ls "$packages" | grep -q -E 'Tests|Benchmarks|Silo'; then echo "pack-and-consume: a test, benchmark or host project was packed" >&2; exit 1; fi

mkdir -p "$app" "$cache"
# The feed folder is added to the sources NuGet already uses here (user and machine NuGet.Config); packages already in
# the machine's global folder are reused (fallback), Orleans.Cache.* ones come from $packages only.
cat > "$app/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <config><add key="globalPackagesFolder" value="$cache" /></config>
  <packageSources><add key="orleans-cache-packed" value="$packages" /></packageSources>
  <fallbackPackageFolders><add key="machine" value="${NUGET_PACKAGES:-$HOME/.nuget/packages}" /></fallbackPackageFolders>
</configuration>
XML
cat > "$app/App.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>enable</ImplicitUsings>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Orleans.Cache.Server" Version="$version" />
  </ItemGroup>
</Project>
XML
# The README's program, exactly: the first C# block after the marker.
awk '/<!-- pack-and-consume: Program.cs -->/ { found = 1; next }
     found && /^```csharp/ { inside = 1; next }
     inside && /^```/ { exit }
     inside { print }' "$repo/README.md" > "$app/Program.cs"
[ -s "$app/Program.cs" ] || { echo "pack-and-consume: no program after the marker in README.md" >&2; exit 1; }

echo "pack-and-consume: building the README's co-hosted program against the packages"
(cd "$app" && dotnet build -nologo -v quiet -o "$app/out")
[ -d "$cache/orleans.cache.server/$version" ] || { echo "pack-and-consume: Orleans.Cache.Server did not restore from $packages" >&2; exit 1; }
echo "pack-and-consume: running it"
output=$(cd "$app" && timeout 120 dotnet "$app/out/App.dll" --Logging:LogLevel:Default=Warning 2>&1) || { echo "$output" >&2; echo "pack-and-consume: the program failed" >&2; exit 1; }
# The program's one line of output; Orleans may log a warning around it (to the console too), so any line will do.
if ! echo "$output" | grep -qx hello; then echo "$output" >&2; echo "pack-and-consume: the program did not print hello" >&2; exit 1; fi
echo "pack-and-consume: OK (Orleans.Cache.Server $version from the packed folder printed hello)"
