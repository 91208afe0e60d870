#!/usr/bin/env bash
# Builds the C# binding with Mono's mcs, runs its NUnit suite against the fake Marketing Cloud,
# then runs the benchmark once. Everything it produces goes to target/csharp/.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="$root/target/csharp"
source "$root/tests/ensure-tools.sh"
ensure_tools mcs:mono-mcs mono:mono-runtime nunit-console:nunit-console
# wsdl (generates the ASMX proxy the tests use) is in mono-devel, which also depends on the assemblies the
# call tests compile against: System.ServiceModel (libmono-system-servicemodel4.0a-cil), System.Web.Services
# (libmono-system-web-services4.0-cil) and System.Net.Http (libmono-system-net-http4.0-cil).
ensure_tools wsdl:mono-devel

if [ ! -f "$root/target/release/libmcauth.so" ] || [ ! -x "$root/target/release/fake-mc" ]; then
  (cd "$root" && cargo build --release --workspace)
fi

mkdir -p "$out"
# mcs accepts language versions up to 7.2 (the code stays within the 7.3 the .csproj declares);
# -unsafe is for Utf8's pointer scan, as AllowUnsafeBlocks in McAuth.csproj.
mcs -langversion:7.2 -target:library -unsafe -warnaserror -r:System.Net.Http \
  -doc:"$out/MarketingCloud.Auth.xml" -out:"$out/MarketingCloud.Auth.dll" "$here"/src/*.cs
# The SOAP stacks get their own assemblies, so a program without WCF or ASMX needs neither.
mcs -langversion:7.2 -target:library -warnaserror -r:System.ServiceModel -r:System.Runtime.Serialization -r:System.Xml \
  -r:"$out/MarketingCloud.Auth.dll" -doc:"$out/MarketingCloud.Auth.Wcf.xml" \
  -out:"$out/MarketingCloud.Auth.Wcf.dll" "$here"/wcf/*.cs "$here"/shared/*.cs
mcs -langversion:7.2 -target:library -warnaserror -r:System.Web.Services -r:System.Xml \
  -r:"$out/MarketingCloud.Auth.dll" -doc:"$out/MarketingCloud.Auth.Asmx.xml" \
  -out:"$out/MarketingCloud.Auth.Asmx.dll" "$here"/asmx/*.cs "$here"/shared/*.cs
# The ASMX proxy is generated now, from the fake's WSDL, and compiled as generated: no hand edit can hide in it.
wsdl -nologo -namespace:PartnerApi.Asmx -out:"$out/PartnerAPI.cs" "$root/tests/fake-mc/etframework.wsdl" >/dev/null
# The README's examples (examples/) are compiled into the test assembly, which runs them against the fake.
mcs -langversion:7.2 -target:library -pkg:nunit -r:System.Xml -r:System.Core -warnaserror \
  -r:System.Net.Http -r:System.ServiceModel -r:System.Runtime.Serialization -r:System.Web.Services \
  -r:"$out/MarketingCloud.Auth.dll" -r:"$out/MarketingCloud.Auth.Wcf.dll" -r:"$out/MarketingCloud.Auth.Asmx.dll" \
  -out:"$out/MarketingCloud.Auth.Tests.dll" "$here"/tests/*.cs "$here"/examples/*.cs "$out/PartnerAPI.cs"
mcs -langversion:7.2 -target:exe -warnaserror \
  -r:"$out/MarketingCloud.Auth.dll" -out:"$out/Bench.exe" "$here"/bench/Bench.cs

export LD_LIBRARY_PATH="$root/target/release${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
results="$out/TestResult.xml"
rm -f "$results"

# nunit-console exits with the number of failed and errored tests (negative for its own errors),
# so any non-zero status is a failure; pipefail carries it through tee.
status=0
"$root/tests/with-fake-mc.sh" nunit-console -nologo -noshadow -labels \
  -result="$results" "$out/MarketingCloud.Auth.Tests.dll" 2>&1 | tee "$out/nunit.log" || status=$?

# A run that finds no tests ("Tests run: 0") exits 0 as well: check the counts themselves.
summary="$(grep -aE '^Tests run: ' "$out/nunit.log" || true)"
echo "csharp nunit: ${summary:-no summary line (the runner did not finish)}"
if [ "$status" -ne 0 ] || [ ! -s "$results" ] || ! grep -qE '^Tests run: [1-9][0-9]*, Errors: 0, Failures: 0' <<<"$summary"; then
  echo "run-tests.sh: the C# tests failed (nunit-console status $status, results in $results)" >&2
  exit 1
fi

"$root/tests/with-fake-mc.sh" mono "$out/Bench.exe"
