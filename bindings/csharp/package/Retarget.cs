// Makes the netstandard2.0 MarketingCloud.Auth.dll of the NuGet package out of one compiled by Mono's mcs.
//
//   mono Retarget.exe IN.dll OUT.dll NETSTANDARD-FACADE.dll
//
// Why: a netstandard2.0 library must reference only `netstandard`, and the netstandard.dll that defines its
// types (NETStandard.Library's reference assembly) comes from nuget.org, which this project's machines do
// not reach. Mono ships netstandard.dll only as a facade of type forwarders, which mcs cannot compile against
// alone: pack.sh compiles against Mono's 4.7.1 reference assemblies (mscorlib, System, System.Net.Http), and
// this moves every type reference from them to `netstandard`. It refuses a type the facade does not forward,
// i.e. one that is not part of .NET Standard 2.0, so what it writes resolves on every netstandard2.0 runtime.
using System;
using System.Collections.Generic;
using System.Linq;
using Mono.Cecil;

static class Retarget
{
    static int Main(string[] args)
    {
        if (args.Length != 3)
        {
            Console.Error.WriteLine("usage: Retarget.exe IN.dll OUT.dll NETSTANDARD-FACADE.dll");
            return 2;
        }

        AssemblyDefinition facade = AssemblyDefinition.ReadAssembly(args[2]);
        var standard = new HashSet<string>(facade.MainModule.ExportedTypes.Select(t => t.FullName));
        foreach (TypeDefinition type in facade.MainModule.Types)
        {
            standard.Add(type.FullName);
        }

        AssemblyNameDefinition name = facade.Name;
        var netstandard = new AssemblyNameReference(name.Name, name.Version) { PublicKeyToken = name.PublicKeyToken };

        AssemblyDefinition assembly = AssemblyDefinition.ReadAssembly(args[0]);
        ModuleDefinition module = assembly.MainModule;
        module.AssemblyReferences.Add(netstandard);

        var missing = new List<string>();
        foreach (TypeReference type in module.GetTypeReferences())
        {
            if (type.DeclaringType != null)
            {
                continue; // a nested type's scope is its declaring type's, moved with it
            }

            if (!(type.Scope is AssemblyNameReference) || type.Scope == netstandard)
            {
                continue;
            }

            if (!standard.Contains(type.FullName))
            {
                missing.Add(type.FullName + " (from " + type.Scope.Name + ")");
            }

            type.Scope = netstandard;
        }

        if (missing.Count > 0)
        {
            Console.Error.WriteLine("Retarget: not part of .NET Standard 2.0: " + string.Join(", ", missing));
            return 1;
        }

        foreach (AssemblyNameReference reference in module.AssemblyReferences.ToList())
        {
            if (reference != netstandard)
            {
                module.AssemblyReferences.Remove(reference);
            }
        }

        assembly.Write(args[1]);
        return 0;
    }
}
