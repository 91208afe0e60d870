using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

// Where the P/Invokes of this assembly look for mcauth.dll on Windows: next to this assembly, then the safe
// system folders; never the current directory or PATH first, where a planted DLL would win. .NET probes
// runtimes/<rid>/native before this; Mono ignores the attribute (its loader path and dllmap apply).
[assembly: DefaultDllImportSearchPaths(DllImportSearchPath.AssemblyDirectory | DllImportSearchPath.SafeDirectories)]

// The tests check the status → exception table (Ensure.ExceptionFor) directly: MC_ERR_INTERNAL cannot be
// provoked from outside.
[assembly: InternalsVisibleTo("MarketingCloud.Auth.Tests")]
