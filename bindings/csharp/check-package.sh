#!/usr/bin/env bash
# Checks a MarketingCloud.Auth .nupkg as a user gets it, under the fake Marketing Cloud (pack.sh runs it so):
#   tests/with-fake-mc.sh bash bindings/csharp/check-package.sh target/nuget/MarketingCloud.Auth.VERSION.nupkg
# - the layout: exactly the expected files (no debug symbols, nothing stray), the .so stripped, the version;
# - lib/netstandard2.0/MarketingCloud.Auth.dll references only netstandard;
# - package/PackageSmoke.cs, compiled against lib/net462 and against lib/netstandard2.0, gets a token (one
#   token request, counted by the fake) and makes a REST call with only the package's libmcauth.so;
# - an old-style .NET Framework project built by xbuild, which takes the native library from build/net462's
#   targets alone (reached through buildTransitive/), runs with no loader path at all; and the targets pick
#   win-x86 / win-x64 by PlatformTarget and Prefer32Bit when the host is Windows.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
package="$(realpath "${1:?usage: check-package.sh PACKAGE.nupkg}")"
: "${FAKE_MC_HTTP:?run under tests/with-fake-mc.sh}"
source "$root/tests/ensure-tools.sh"
ensure_tools mcs:mono-mcs mono:mono-runtime ikdasm:mono-devel xbuild:mono-xbuild unzip:unzip readelf:binutils \
    curl:curl

version="$(sed -n 's/^version = "\(.*\)"$/\1/p' "$root/Cargo.toml" | head -n 1)"
work="$(mktemp -d "${TMPDIR:-/tmp}/mcauth-nupkg.XXXXXX")"
trap 'rm -rf "$work"' EXIT
pkg="$work/package"
unzip -q "$package" -d "$pkg"
fail() {
    echo "check-package: $*" >&2
    exit 1
}

# --- Layout: every expected file, and nothing else (NuGet's own parts aside). ---
expected=(
    MarketingCloud.Auth.nuspec README.md
    lib/net462/MarketingCloud.Auth.dll lib/net462/MarketingCloud.Auth.xml
    lib/net462/MarketingCloud.Auth.Wcf.dll lib/net462/MarketingCloud.Auth.Wcf.xml
    lib/net462/MarketingCloud.Auth.Asmx.dll lib/net462/MarketingCloud.Auth.Asmx.xml
    lib/netstandard2.0/MarketingCloud.Auth.dll lib/netstandard2.0/MarketingCloud.Auth.xml
    runtimes/linux-x64/native/libmcauth.so
    build/net462/MarketingCloud.Auth.targets buildTransitive/net462/MarketingCloud.Auth.targets
)
# The Windows builds are there when a Windows CI job handed them to pack.sh.
for rid in win-x64 win-x86; do
    if [[ -e "$pkg/runtimes/$rid/native/mcauth.dll" ]]; then
        expected+=("runtimes/$rid/native/mcauth.dll")
        [[ "$(head -c 2 "$pkg/runtimes/$rid/native/mcauth.dll")" == MZ ]] || fail "$rid/native/mcauth.dll is not a DLL"
    else
        echo "layout: runtimes/$rid/native/mcauth.dll not in this package (built by a Windows CI job)"
    fi
done
actual="$(cd "$pkg" && find . -type f | sed 's|^\./||' |
    grep -vxE '\[Content_Types\]\.xml|_rels/\.rels|package/services/metadata/core-properties/[0-9a-f]+\.psmdcp' | sort)"
diff <(printf '%s\n' "${expected[@]}" | sort) <(printf '%s\n' "$actual") >"$work/layout.diff" ||
    fail "unexpected layout (< missing, > unexpected):"$'\n'"$(grep '^[<>]' "$work/layout.diff")"
grep -q "<version>$version</version>" "$pkg/MarketingCloud.Auth.nuspec" || fail "the nuspec's version is not $version"
so="$pkg/runtimes/linux-x64/native/libmcauth.so"
if readelf -S --wide "$so" | grep -qE ' \.symtab | \.debug_'; then
    fail "runtimes/linux-x64/native/libmcauth.so is not stripped"
fi
echo "layout: ${#expected[@]} files as expected, libmcauth.so stripped, version $version"

# --- The netstandard2.0 assembly references netstandard alone; net462's, the .NET Framework. ---
references() { ikdasm -assemblyref "$1" | sed -n 's/^[[:space:]]*Name=//p' | sort | tr '\n' ' '; }
[[ "$(references "$pkg/lib/netstandard2.0/MarketingCloud.Auth.dll")" == "netstandard " ]] ||
    fail "lib/netstandard2.0/MarketingCloud.Auth.dll references $(references "$pkg/lib/netstandard2.0/MarketingCloud.Auth.dll")"
echo "references: netstandard2.0: $(references "$pkg/lib/netstandard2.0/MarketingCloud.Auth.dll"); net462: $(references "$pkg/lib/net462/MarketingCloud.Auth.dll")"

# --- A program per lib folder, run with the package's libmcauth.so only. ---
native="$pkg/runtimes/linux-x64/native"
count() { curl -sf "$FAKE_MC_HTTP/_count/$1"; }
# run LABEL DIR HOW NATIVE: runs DIR/PackageSmoke.exe against a scenario of its own, and checks that it ran
# DIR/MarketingCloud.Auth.dll and the libmcauth at NATIVE, and that the fake saw one token request.
run() {
    local label="$1" dir="$2" scenario="nupkg-$$-${1//[^a-z0-9.]/-}" output
    output="$(cd "$dir" && mono PackageSmoke.exe "$FAKE_MC_HTTP/$scenario/")" || fail "$label: PackageSmoke failed"
    grep -qx "assembly=$dir/MarketingCloud.Auth.dll" <<<"$output" || fail "$label: another assembly ran: $output"
    grep -qx "native=$4" <<<"$output" || fail "$label: not the expected libmcauth ($4): $output"
    [[ "$(count "$scenario")" == 1 ]] || fail "$label: the fake saw $(count "$scenario") token requests, not 1"
    echo "$label: $(grep '^token: ' <<<"$output"), one token request; native library $3"
}
for lib in net462 netstandard2.0; do
    dir="$work/$lib"
    mkdir -p "$dir"
    cp "$pkg/lib/$lib/MarketingCloud.Auth.dll" "$dir/"
    # A program built against the netstandard2.0 assembly references netstandard too (Mono's facade).
    mcs -langversion:7.2 -warnaserror -r:System.Net.Http -r:System.Core -r:"$dir/MarketingCloud.Auth.dll" \
        $([[ $lib == netstandard2.0 ]] && echo -r:Facades/netstandard.dll) \
        -out:"$dir/PackageSmoke.exe" "$here/package/PackageSmoke.cs"
    # Nothing but the package's native folder on the loader's path.
    LD_LIBRARY_PATH="$native" run "lib/$lib" "$dir" "from LD_LIBRARY_PATH=runtimes/linux-x64/native" \
        "$native/libmcauth.so"
done

# --- build/net462's targets, as a packages.config project uses them (reached here through buildTransitive). ---
app="$work/app"
mkdir -p "$app"
cat >"$app/App.csproj" <<EOF
<Project ToolsVersion="4.0" DefaultTargets="Build" xmlns="http://schemas.microsoft.com/developer/msbuild/2003">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <AssemblyName>PackageSmoke</AssemblyName>
    <TargetFrameworkVersion>v4.6.2</TargetFrameworkVersion>
    <Platform Condition="'\$(Platform)' == ''">AnyCPU</Platform>
    <OutputPath>bin/</OutputPath>
    <LangVersion>7.2</LangVersion>
  </PropertyGroup>
  <ItemGroup>
    <Reference Include="System" />
    <Reference Include="System.Core" />
    <Reference Include="System.Net.Http" />
    <Reference Include="MarketingCloud.Auth"><HintPath>$pkg/lib/net462/MarketingCloud.Auth.dll</HintPath></Reference>
    <Compile Include="$here/package/PackageSmoke.cs" />
  </ItemGroup>
  <Import Project="\$(MSBuildToolsPath)/Microsoft.CSharp.targets" />
  <Import Project="$pkg/buildTransitive/net462/MarketingCloud.Auth.targets" />
  <Target Name="McAuthShowNative" DependsOnTargets="McAuthNativeLibrary">
    <Message Importance="high" Text="McAuthNative=\$(_McAuthRid)" />
  </Target>
</Project>
EOF
xbuild /nologo /verbosity:quiet "$app/App.csproj" >"$work/xbuild.log" 2>&1 || { cat "$work/xbuild.log" >&2; fail "xbuild failed"; }
[[ -f "$app/bin/libmcauth.so" ]] || fail "the targets did not copy libmcauth.so next to the program"
cmp -s "$app/bin/libmcauth.so" "$native/libmcauth.so" || fail "bin/libmcauth.so is not the package's"
(
    unset LD_LIBRARY_PATH MONO_PATH # Mono looks next to the assembly: the copy must be enough
    run "build/net462 targets" "$app/bin" "copied next to the program, no loader path" "$app/bin/libmcauth.so"
)

# Which native library the targets pick on a Windows host, by bitness (the choice only: no Windows DLL here).
rid_for() { # PROPERTIES...
    xbuild /nologo /verbosity:minimal /target:McAuthShowNative /p:OS=Windows_NT "$@" "$app/App.csproj" 2>&1 |
        sed -n 's/.*McAuthNative=//p' | head -n 1
}
choices=""
while read -r want properties; do
    # shellcheck disable=SC2086 # the properties are words
    got="$(rid_for $properties)"
    [[ "$got" == "$want" ]] || fail "on Windows with ${properties:-defaults} the targets chose '$got', not $want"
    choices+="${properties:-AnyCPU} -> $got; "
done <<'EOF'
win-x64 /p:PlatformTarget=x64
win-x86 /p:PlatformTarget=x86
win-x64 /p:PlatformTarget=AnyCPU
win-x86 /p:PlatformTarget=AnyCPU /p:Prefer32Bit=true
win-x64 /p:Prefer32Bit=false
win-x86 /p:Prefer32Bit=true
win-x64 /p:OutputType=Library /p:Prefer32Bit=true
win-x86 /p:PlatformTarget=x64 /p:McAuthRuntimeIdentifier=win-x86
EOF
echo "targets on Windows: ${choices%; }"
echo "check-package: $(basename "$package") passed"
